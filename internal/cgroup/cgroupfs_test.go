package cgroup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCgroupfsWrite(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pids.max")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := (cgroupfs{}).Write(file, "100"); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "100" {
		t.Errorf("file holds %q; want %q", b, "100")
	}
	// A missing interface file is an error, never created.
	missing := filepath.Join(dir, "memory.max")
	if err := (cgroupfs{}).Write(missing, "1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write to a missing file = %v; want ErrNotExist", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write created %s", missing)
	}
}

func TestCgroupfsDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "alice")
	k := cgroupfs{}
	if err := k.Mkdir(dir); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	if err := k.Mkdir(dir); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second Mkdir = %v; want ErrExist", err)
	}
	if err := k.Writable(dir); err != nil {
		t.Errorf("Writable(%s) = %v", dir, err)
	}
	if err := k.Rmdir(dir); err != nil {
		t.Fatalf("Rmdir: %v", err)
	}
	if err := k.Rmdir(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Rmdir = %v; want ErrNotExist", err)
	}
}

func TestCgroupfsNotWritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root bypasses permission bits")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	err := notWritable((cgroupfs{}).Writable(dir))
	if !errors.Is(err, ErrNotWritable) || !errors.Is(err, unix.EACCES) {
		t.Errorf("Writable of a 0555 dir = %v; want ErrNotWritable and EACCES", err)
	}
}

// TestOpenHost runs Open with the real defaults. Where the server's cgroup
// offers "pids" it only runs the read-only checks (tests never change the
// real hierarchy); where it does not, as on a hybrid host whose cgroup v2
// tree has only hugetlb, Open must say so — and, because the controller
// check comes before any write, it changes nothing.
func TestOpenHost(t *testing.T) {
	h, err := readHost()
	if err != nil {
		t.Fatalf("read /proc/self: %v", err)
	}
	root, self, err := locate(Options{}, h)
	if err != nil {
		_, oerr := Open(Options{})
		if !errors.Is(oerr, ErrNoCgroup2) {
			t.Fatalf("no cgroup v2 here (%v), but Open = %v; want ErrNoCgroup2", err, oerr)
		}
		t.Logf("Open: %v", oerr)
		return
	}
	own := filepath.Join(root, self)
	have, err := readList(filepath.Join(own, "cgroup.controllers"))
	if err != nil {
		t.Fatalf("read the real cgroup.controllers: %v", err)
	}
	t.Logf("%s/cgroup.controllers: %q", own, have)

	if slices.Contains(have, "pids") {
		if _, err := probe(Options{}, h, cgroupfs{}); err != nil && !errors.Is(err, ErrNotWritable) {
			t.Fatalf("pids is offered in %s, but the checks fail: %v", own, err)
		} else if err != nil {
			t.Logf("pids is offered but not writable for this test's user: %v", err)
		}
		return
	}

	subtree := filepath.Join(own, "cgroup.subtree_control")
	before, _ := os.ReadFile(subtree)
	tr, err := Open(Options{})
	if tr != nil || !errors.Is(err, ErrControllerMissing) {
		t.Fatalf("Open = %v, %v; want ErrControllerMissing", tr, err)
	}
	if !strings.Contains(err.Error(), `"pids"`) {
		t.Errorf("error %q does not name \"pids\"", err)
	}
	onV1 := slices.ContainsFunc(h.cgroups, func(c procCgroup) bool {
		return c.ID != 0 && slices.Contains(c.Controllers, "pids")
	})
	if onV1 && !strings.Contains(err.Error(), "bound to the cgroup v1 hierarchy") {
		t.Errorf("pids is on cgroup v1 here, but the error %q does not say so", err)
	}
	if after, _ := os.ReadFile(subtree); string(after) != string(before) {
		t.Errorf("Open changed %s: %q → %q", subtree, before, after)
	}
	t.Logf("Open: %v", err)
}

// The real write-access checks pass on a tree the test user owns, and
// probe changes nothing.
func TestProbeRealChecks(t *testing.T) {
	k := serviceKernel(t)
	if _, err := probe(Options{Root: k.root, Self: service, Memory: true}, host{}, cgroupfs{}); err != nil {
		t.Fatalf("probe: %v", err)
	}
	checkCalls(t, k, nil)
	checkFiles(t, k, map[string]string{service + "/cgroup.procs": "100\n101", service + "/cgroup.subtree_control": ""})
}
