package isolation

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Mode is how sessions run relative to the server's own user.
type Mode string

// Modes.
const (
	// Isolated: every login's programs run as the login's own uid/gid.
	Isolated Mode = "isolated"
	// Shared: every program runs as the server's own user.
	Shared Mode = "shared"
)

// Linux capability numbers (linux/capability.h).
const (
	capChown       = 0
	capDACOverride = 1
	capFowner      = 3
	capKill        = 5
	capSetgid      = 6
	capSetuid      = 7
)

// required are the capabilities isolated mode needs: switching uid and gid,
// handing directories to a login (chown, chmod of a tree it owns), reaching
// into a login's 0700 tree to create, list and delete workspaces, and
// signalling the login's processes.
var required = []struct {
	bit  uint
	name string
}{
	{capSetuid, "CAP_SETUID"},
	{capSetgid, "CAP_SETGID"},
	{capChown, "CAP_CHOWN"},
	{capFowner, "CAP_FOWNER"},
	{capKill, "CAP_KILL"},
	{capDACOverride, "CAP_DAC_OVERRIDE"},
}

// RequiredCapabilities names the capabilities isolated mode needs.
func RequiredCapabilities() []string {
	names := make([]string, len(required))
	for i, c := range required {
		names[i] = c.name
	}
	return names
}

// Report is what Detect found.
type Report struct {
	// Mode is Isolated when the server can run programs as the uids of
	// Range, Shared otherwise.
	Mode Mode
	// Missing names the required capabilities the server lacks.
	Missing []string
	// Reason says, in one phrase, why Mode is Shared; empty when Isolated.
	Reason string
}

// Detect reports whether this process can run programs as the uids of r:
// it holds every required capability in its effective set, and r lies
// inside its user namespace's uid and gid maps.
func Detect(r Range) Report {
	return detect(r, "/proc/self/status", "/proc/self/uid_map", "/proc/self/gid_map")
}

func detect(r Range, statusPath, uidMapPath, gidMapPath string) Report {
	eff, err := effectiveCaps(statusPath)
	if err != nil {
		return Report{Mode: Shared, Reason: err.Error()}
	}
	var missing []string
	for _, c := range required {
		if eff&(1<<c.bit) == 0 {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return Report{Mode: Shared, Missing: missing, Reason: "missing " + strings.Join(missing, ", ")}
	}
	for _, m := range []struct{ path, what string }{{uidMapPath, "uid"}, {gidMapPath, "gid"}} {
		ok, err := mapCovers(m.path, r)
		if err != nil {
			return Report{Mode: Shared, Reason: err.Error()}
		}
		if !ok {
			return Report{Mode: Shared, Reason: fmt.Sprintf("%ss %s are not mapped in this user namespace (%s)", m.what, r, m.path)}
		}
	}
	return Report{Mode: Isolated}
}

// effectiveCaps reads the CapEff mask from a /proc/<pid>/status file.
func effectiveCaps(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read capabilities: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "CapEff:")
		if !ok {
			continue
		}
		caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			return 0, fmt.Errorf("read capabilities: %s: bad CapEff %q", path, v)
		}
		return caps, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read capabilities: %w", err)
	}
	return 0, fmt.Errorf("read capabilities: no CapEff line in %s", path)
}

// mapCovers reports whether every id of r lies in one extent of an
// id map ("inside outside count" lines). A missing map file (no user
// namespaces in the kernel) covers everything.
func mapCovers(path string, r Range) (bool, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read id map: %w", err)
	}
	type extent struct{ lo, end uint64 } // [lo, end)
	var extents []extent
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		inside, err1 := strconv.ParseUint(f[0], 10, 32)
		count, err2 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return false, fmt.Errorf("read id map: %s: bad line %q", path, line)
		}
		extents = append(extents, extent{inside, inside + count})
	}
	// Extents may be adjacent: walk from Lo, extent by extent, past Hi.
	for next := uint64(r.Lo); next <= uint64(r.Hi); {
		found := false
		for _, e := range extents {
			if next >= e.lo && next < e.end {
				next, found = e.end, true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}
