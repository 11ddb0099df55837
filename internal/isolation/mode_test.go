package isolation

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// allCaps is CapEff with exactly the required capabilities.
var allCaps = func() uint64 {
	var m uint64
	for _, c := range required {
		m |= 1 << c.bit
	}
	return m
}()

// fullMap maps every id, as in the initial user namespace.
const fullMap = "         0          0 4294967295\n"

// statusFile is a /proc/self/status with the given CapEff line; the
// permitted and bounding sets hold everything, so that only CapEff decides.
func statusFile(capEff string) string {
	return "Name:\twarren\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t0\t0\t0\t0\n" +
		"CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n" + capEff +
		"CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\n"
}

// fakeProc writes status, uid_map and gid_map into a new directory; an
// empty map is not written (a kernel without user namespaces).
func fakeProc(t *testing.T, status, uidMap, gidMap string) (statusPath, uidPath, gidPath string) {
	t.Helper()
	dir := t.TempDir()
	statusPath = writeFile(t, dir, "status", status, 0o644)
	uidPath, gidPath = filepath.Join(dir, "uid_map"), filepath.Join(dir, "gid_map")
	if uidMap != "" {
		writeFile(t, dir, "uid_map", uidMap, 0o644)
	}
	if gidMap != "" {
		writeFile(t, dir, "gid_map", gidMap, 0o644)
	}
	return statusPath, uidPath, gidPath
}

func TestRequiredCapabilities(t *testing.T) {
	got := RequiredCapabilities()
	want := []string{"CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_FOWNER", "CAP_KILL", "CAP_DAC_OVERRIDE"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
	// The bits are linux/capability.h's.
	bits := map[string]uint{"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_FOWNER": 3, "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7}
	for _, c := range required {
		if bits[c.name] != c.bit {
			t.Errorf("%s: got bit %d; want %d", c.name, c.bit, bits[c.name])
		}
	}
}

func TestDetectCapabilities(t *testing.T) {
	type tc struct {
		name        string
		capEff      uint64
		wantMode    Mode
		wantMissing []string
	}
	tests := []tc{
		{name: "exactly the required six", capEff: allCaps, wantMode: Isolated},
		{name: "root's full set", capEff: 0x000001ffffffffff, wantMode: Isolated},
		{name: "root without CAP_SYS_RESOURCE", capEff: 0x000001fffeffffff, wantMode: Isolated},
		{name: "none", capEff: 0, wantMode: Shared, wantMissing: RequiredCapabilities()},
	}
	for _, c := range required {
		tests = append(tests, tc{
			name:        "all but " + c.name,
			capEff:      0x000001ffffffffff &^ (1 << c.bit),
			wantMode:    Shared,
			wantMissing: []string{c.name},
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, uidMap, gidMap := fakeProc(t, statusFile(fmt.Sprintf("CapEff:\t%016x\n", tt.capEff)), fullMap, fullMap)
			got := detect(DefaultRange, status, uidMap, gidMap)
			if got.Mode != tt.wantMode {
				t.Fatalf("mode: got %q; want %q (reason %q)", got.Mode, tt.wantMode, got.Reason)
			}
			if !slices.Equal(got.Missing, tt.wantMissing) {
				t.Errorf("missing: got %q; want %q", got.Missing, tt.wantMissing)
			}
			if tt.wantMode == Isolated && got.Reason != "" {
				t.Errorf("reason: got %q; want none", got.Reason)
			}
			for _, name := range tt.wantMissing {
				if !strings.Contains(got.Reason, name) {
					t.Errorf("reason: got %q; want it to name %s", got.Reason, name)
				}
			}
		})
	}
}

// TestDetectPermittedIsNotEnough: a capability the process may raise but
// has not (CapPrm, not CapEff) does not count.
func TestDetectPermittedIsNotEnough(t *testing.T) {
	status := "CapPrm:\t000001ffffffffff\nCapEff:\t0000000000000000\nCapBnd:\t000001ffffffffff\n"
	s, u, g := fakeProc(t, status, fullMap, fullMap)
	if got := detect(DefaultRange, s, u, g); got.Mode != Shared {
		t.Errorf("got %q; want %q", got.Mode, Shared)
	}
}

func TestDetectBadStatus(t *testing.T) {
	tests := []struct {
		name   string
		status string // "" for no file at all
		want   string // in Reason
	}{
		{name: "no status file", status: "", want: "read capabilities"},
		{name: "no CapEff line", status: "Name:\twarren\nCapPrm:\t000001ffffffffff\n", want: "no CapEff line"},
		{name: "not hex", status: statusFile("CapEff:\tzzzzzzzzzzzzzzzz\n"), want: "bad CapEff"},
		{name: "empty", status: statusFile("CapEff:\n"), want: "bad CapEff"},
		{name: "too long", status: statusFile("CapEff:\t1000001ffffffffff\n"), want: "bad CapEff"},
		{name: "negative", status: statusFile("CapEff:\t-1\n"), want: "bad CapEff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			status := filepath.Join(dir, "status")
			if tt.status != "" {
				writeFile(t, dir, "status", tt.status, 0o644)
			}
			uidMap := writeFile(t, dir, "uid_map", fullMap, 0o644)
			gidMap := writeFile(t, dir, "gid_map", fullMap, 0o644)
			got := detect(DefaultRange, status, uidMap, gidMap)
			if got.Mode != Shared {
				t.Fatalf("mode: got %q; want %q", got.Mode, Shared)
			}
			if !strings.Contains(got.Reason, tt.want) {
				t.Errorf("reason: got %q; want it to contain %q", got.Reason, tt.want)
			}
			if got.Missing != nil {
				t.Errorf("missing: got %q; want none (the capabilities are unknown)", got.Missing)
			}
		})
	}
}

func TestDetectIDMaps(t *testing.T) {
	const (
		rootless = "         0       1000          1\n         1     100000      65536\n"
		exact    = "     20000     300000      10000\n"
		short    = "     20000     300000       9999\n"
		late     = "     20001     300000      10000\n"
		straddle = "         0     100000      25000\n     25000     200000     100000\n"
		gap      = "         0     100000      25000\n     25001     200000     100000\n"
	)
	tests := []struct {
		name           string
		uidMap, gidMap string // "" for no map file
		wantMode       Mode
		wantReason     []string
	}{
		{name: "initial namespace", uidMap: fullMap, gidMap: fullMap, wantMode: Isolated},
		{name: "rootless extent", uidMap: rootless, gidMap: rootless, wantMode: Isolated},
		{name: "extent of exactly the range", uidMap: exact, gidMap: exact, wantMode: Isolated},
		{name: "no map files", wantMode: Isolated},
		{name: "no uid map file", gidMap: fullMap, wantMode: Isolated},
		{name: "uid extent one short", uidMap: short, gidMap: fullMap, wantMode: Shared, wantReason: []string{"uid_map", "uids 20000-29999"}},
		{name: "uid extent starts one late", uidMap: late, gidMap: fullMap, wantMode: Shared, wantReason: []string{"uid_map", "uids"}},
		{name: "range across two adjacent extents", uidMap: straddle, gidMap: straddle, wantMode: Isolated},
		{name: "range across a gap in the uid extents", uidMap: gap, gidMap: fullMap, wantMode: Shared, wantReason: []string{"uid_map"}},
		{name: "range across a gap in the gid extents", uidMap: fullMap, gidMap: gap, wantMode: Shared, wantReason: []string{"gid_map", "gids 20000-29999"}},
		{name: "only root mapped", uidMap: "0 0 1\n", gidMap: "0 0 1\n", wantMode: Shared, wantReason: []string{"uid_map"}},
		{name: "empty uid map", uidMap: "\n", gidMap: fullMap, wantMode: Shared, wantReason: []string{"uid_map"}},
		{name: "bad uid map line", uidMap: "x 0 4294967295\n", gidMap: fullMap, wantMode: Shared, wantReason: []string{"uid_map", "bad line"}},
		{name: "bad gid map count", uidMap: fullMap, gidMap: "0 0 lots\n", wantMode: Shared, wantReason: []string{"gid_map", "bad line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, uidMap, gidMap := fakeProc(t, statusFile(fmt.Sprintf("CapEff:\t%016x\n", allCaps)), tt.uidMap, tt.gidMap)
			got := detect(DefaultRange, status, uidMap, gidMap)
			if got.Mode != tt.wantMode {
				t.Fatalf("mode: got %q; want %q (reason %q)", got.Mode, tt.wantMode, got.Reason)
			}
			if got.Missing != nil {
				t.Errorf("missing: got %q; want none", got.Missing)
			}
			for _, w := range tt.wantReason {
				if !strings.Contains(got.Reason, w) {
					t.Errorf("reason: got %q; want it to contain %q", got.Reason, w)
				}
			}
		})
	}
}

// TestDetectHere runs the real Detect: CI runs the tests as root in the
// initial user namespace (or a container's), with the six capabilities.
func TestDetectHere(t *testing.T) {
	requireRoot(t)
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		t.Skipf("no user namespaces here: %v", err)
	}
	if f := strings.Fields(string(b)); !slices.Equal(f, []string{"0", "0", "4294967295"}) {
		t.Skipf("root of a user namespace that maps only %q", b)
	}
	got := Detect(DefaultRange)
	if got.Mode != Isolated {
		t.Errorf("Detect(%s): got %q (%s, missing %q); want %q", DefaultRange, got.Mode, got.Reason, got.Missing, Isolated)
	}
}
