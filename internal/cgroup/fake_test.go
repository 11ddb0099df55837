package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeKernel imitates cgroupfs over a directory tree in t.TempDir(): mkdir
// fills a cgroup with interface files, writes to cgroup.procs move pids
// between cgroup.procs files, cgroup.subtree_control obeys the "no internal
// processes" rule, and every call is logged relative to the root.
type fakeKernel struct {
	t    *testing.T
	root string

	// mu guards the following.
	mu  sync.Mutex
	log []string // "mkdir a/b", "write a/b/pids.max 10", "rmdir a/b"
	// denied makes Writable fail with the errno for these paths (relative).
	denied map[string]error
	// beforeWrite, if set, runs before each write with the relative file.
	beforeWrite func(rel, value string)
}

var _ kernel = (*fakeKernel)(nil)

// controllerOrder is the order the kernel lists controllers in.
var controllerOrder = []string{"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"}

// newFakeKernel makes a fake hierarchy whose root offers controllers, and
// the cgroups in cgroups (slash-separated relative paths, every parent
// listed; "." is the root), each holding the given pids. The root and every
// listed parent enable all they offer for their children; the others enable
// nothing. The root has no cgroup.type, like the real root.
func newFakeKernel(t *testing.T, controllers []string, cgroups map[string][]int) *fakeKernel {
	t.Helper()
	k := &fakeKernel{t: t, root: t.TempDir(), denied: map[string]error{}}
	k.put("cgroup.controllers", strings.Join(controllers, " "))
	k.put("cgroup.subtree_control", strings.Join(controllers, " "))
	k.put("cgroup.procs", "")
	names := make([]string, 0, len(cgroups))
	for name := range cgroups {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name == "." {
			k.put("cgroup.procs", pidList(cgroups[name]))
			continue
		}
		if err := os.Mkdir(filepath.Join(k.root, name), 0o755); err != nil {
			t.Fatal(err)
		}
		k.populate(name)
		k.put(filepath.Join(name, "cgroup.procs"), pidList(cgroups[name]))
		// A parent of another listed cgroup passes its controllers on.
		if slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, name+"/") }) {
			k.put(filepath.Join(name, "cgroup.subtree_control"), k.get(filepath.Join(name, "cgroup.controllers")))
		}
	}
	return k
}

func pidList(pids []int) string {
	var b strings.Builder
	for _, p := range pids {
		fmt.Fprintf(&b, "%d\n", p)
	}
	return b.String()
}

// put writes a file of the fake tree.
func (k *fakeKernel) put(rel, content string) {
	k.t.Helper()
	if err := os.WriteFile(filepath.Join(k.root, rel), []byte(content), 0o644); err != nil {
		k.t.Fatal(err)
	}
}

// get reads a file of the fake tree, trimmed; "<missing>" if absent.
func (k *fakeKernel) get(rel string) string {
	k.t.Helper()
	b, err := os.ReadFile(filepath.Join(k.root, rel))
	if errors.Is(err, fs.ErrNotExist) {
		return "<missing>"
	}
	if err != nil {
		k.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// calls returns the log so far.
func (k *fakeKernel) calls() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.log)
}

func (k *fakeKernel) rel(p string) string {
	r, err := filepath.Rel(k.root, p)
	if err != nil || strings.HasPrefix(r, "..") {
		k.t.Fatalf("path %s outside the fake tree %s", p, k.root)
	}
	return filepath.ToSlash(r)
}

// populate gives the new cgroup rel the interface files the kernel makes.
func (k *fakeKernel) populate(rel string) {
	parent := filepath.Dir(rel)
	enabled := k.get(filepath.Join(parent, "cgroup.subtree_control"))
	k.put(filepath.Join(rel, "cgroup.type"), "domain")
	k.put(filepath.Join(rel, "cgroup.controllers"), enabled)
	k.put(filepath.Join(rel, "cgroup.subtree_control"), "")
	k.put(filepath.Join(rel, "cgroup.procs"), "")
	for _, c := range strings.Fields(enabled) {
		k.addControllerFiles(rel, c)
	}
}

func (k *fakeKernel) addControllerFiles(rel, c string) {
	switch c {
	case "pids":
		k.put(filepath.Join(rel, "pids.max"), "max")
	case "memory":
		k.put(filepath.Join(rel, "memory.max"), "max")
	}
}

func (k *fakeKernel) Mkdir(dir string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	rel := k.rel(dir)
	k.log = append(k.log, "mkdir "+rel)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	k.populate(rel)
	return nil
}

func (k *fakeKernel) Rmdir(dir string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	rel := k.rel(dir)
	k.log = append(k.log, "rmdir "+rel)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &fs.PathError{Op: "rmdir", Path: dir, Err: unix.ENOENT}
	}
	for _, e := range entries {
		if e.IsDir() {
			return &fs.PathError{Op: "rmdir", Path: dir, Err: unix.EBUSY}
		}
	}
	if k.get(filepath.Join(rel, "cgroup.procs")) != "" {
		return &fs.PathError{Op: "rmdir", Path: dir, Err: unix.EBUSY}
	}
	return os.RemoveAll(dir)
}

func (k *fakeKernel) Writable(p string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err, ok := k.denied[k.rel(p)]; ok {
		return &fs.PathError{Op: "check write access", Path: p, Err: err}
	}
	if _, err := os.Stat(p); err != nil {
		return err
	}
	return nil
}

func (k *fakeKernel) Write(file, value string) error {
	k.mu.Lock()
	hook := k.beforeWrite
	rel := k.rel(file)
	k.log = append(k.log, "write "+rel+" "+value)
	k.mu.Unlock()
	if hook != nil {
		hook(rel, value)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, err := os.Stat(file); err != nil {
		return err
	}
	errno := func(e error) error { return &fs.PathError{Op: "write", Path: file, Err: e} }
	cg := filepath.Dir(rel)
	switch filepath.Base(rel) {
	case "cgroup.procs":
		pid, err := strconv.Atoi(value)
		if err != nil {
			return errno(unix.EINVAL)
		}
		if cg != "." && k.get(filepath.Join(cg, "cgroup.subtree_control")) != "" {
			return errno(unix.EBUSY)
		}
		from, ok := k.holder(pid)
		if !ok {
			return errno(unix.ESRCH)
		}
		k.put(filepath.Join(from, "cgroup.procs"), pidList(slices.DeleteFunc(k.pids(from), func(p int) bool { return p == pid })))
		k.put(filepath.Join(cg, "cgroup.procs"), pidList(append(k.pids(cg), pid)))
	case "cgroup.subtree_control":
		have := strings.Fields(k.get(filepath.Join(cg, "cgroup.controllers")))
		on := strings.Fields(k.get(rel))
		var added []string
		for _, tok := range strings.Fields(value) {
			c := tok[1:]
			if tok[0] != '+' || !slices.Contains(have, c) {
				return errno(unix.ENOENT)
			}
			if !slices.Contains(on, c) {
				added = append(added, c)
			}
		}
		if cg != "." && len(added) > 0 && len(k.pids(cg)) > 0 {
			return errno(unix.EBUSY)
		}
		on = append(on, added...)
		slices.SortFunc(on, func(a, b string) int {
			return slices.Index(controllerOrder, a) - slices.Index(controllerOrder, b)
		})
		k.put(rel, strings.Join(on, " "))
		// Existing children gain the controllers and their files.
		entries, err := os.ReadDir(filepath.Join(k.root, cg))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			child := filepath.Join(cg, e.Name())
			k.put(filepath.Join(child, "cgroup.controllers"), strings.Join(on, " "))
			for _, c := range added {
				k.addControllerFiles(child, c)
			}
		}
	case "pids.max", "memory.max":
		if value != "max" {
			if n, err := strconv.ParseInt(value, 10, 64); err != nil || n < 0 {
				return errno(unix.EINVAL)
			}
		}
		k.put(rel, value)
	default:
		return errno(unix.EACCES)
	}
	return nil
}

// pids returns the pids in cgroup rel.
func (k *fakeKernel) pids(rel string) []int {
	var out []int
	for _, f := range strings.Fields(k.get(filepath.Join(rel, "cgroup.procs"))) {
		n, err := strconv.Atoi(f)
		if err != nil {
			k.t.Fatalf("%s/cgroup.procs: %v", rel, err)
		}
		out = append(out, n)
	}
	return out
}

// holder returns the cgroup holding pid.
func (k *fakeKernel) holder(pid int) (string, bool) {
	var found string
	filepath.WalkDir(k.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || found != "" {
			return err
		}
		rel := k.rel(p)
		if slices.Contains(k.pids(rel), pid) {
			found = rel
		}
		return nil
	})
	return found, found != ""
}
