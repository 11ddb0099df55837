package isolation

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Range is an inclusive range of uids (and the equal gids) given to logins.
type Range struct{ Lo, Hi uint32 }

// DefaultRange is --uid-range's default.
var DefaultRange = Range{Lo: 20000, Hi: 29999}

func (r Range) String() string { return fmt.Sprintf("%d-%d", r.Lo, r.Hi) }

// Contains reports whether id lies in r.
func (r Range) Contains(id uint32) bool { return id >= r.Lo && id <= r.Hi }

// minUID keeps the range clear of system accounts (Debian's SYS_UID_MAX is
// 999) and root.
const minUID = 1000

// ParseRange parses "LO-HI". The range must lie within 1000..4294967294
// (the top id is the kernel's "no id"), and not be empty.
func ParseRange(s string) (Range, error) {
	lo, hi, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Range{}, fmt.Errorf("uid range %q: want LO-HI, e.g. 20000-29999", s)
	}
	l, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 32)
	h, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 32)
	if err1 != nil || err2 != nil {
		return Range{}, fmt.Errorf("uid range %q: want two numbers LO-HI", s)
	}
	r := Range{Lo: uint32(l), Hi: uint32(h)}
	switch {
	case r.Lo > r.Hi:
		return Range{}, fmt.Errorf("uid range %q: %d is above %d", s, r.Lo, r.Hi)
	case r.Lo < minUID:
		return Range{}, fmt.Errorf("uid range %q: starts below %d, among system accounts", s, minUID)
	case r.Hi == ^uint32(0):
		return Range{}, fmt.Errorf("uid range %q: %d is not a valid uid", s, r.Hi)
	}
	return r, nil
}

// CheckAccounts refuses a range that holds a uid of /etc/passwd or a gid of
// /etc/group: a login given that id would own that account's files.
func CheckAccounts(r Range) error {
	return checkAccounts(r, "/etc/passwd", "/etc/group")
}

func checkAccounts(r Range, passwd, group string) error {
	for _, f := range []struct{ path, what string }{{passwd, "uid"}, {group, "gid"}} {
		name, id, err := firstInRange(f.path, r)
		if err != nil {
			return err
		}
		if name != "" {
			return fmt.Errorf("uid range %s holds %s %d of %q in %s: choose a range no local account uses", r, f.what, id, name, f.path)
		}
	}
	return nil
}

// firstInRange returns the first entry of a passwd- or group-format file
// whose third field lies in r. A missing file has none.
func firstInRange(path string, r Range) (string, uint32, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("check uid range: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	// A group line lists every member and can outgrow Scanner's 64 KiB.
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 3 {
			continue
		}
		id, err := strconv.ParseUint(fields[2], 10, 32)
		if err != nil {
			continue
		}
		if r.Contains(uint32(id)) {
			return fields[0], uint32(id), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", 0, fmt.Errorf("check uid range: %s: %w", path, err)
	}
	return "", 0, nil
}
