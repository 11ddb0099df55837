package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Names of the cgroups Open makes inside the server's own cgroup.
const (
	// LeafName is the leaf the server's processes move to.
	LeafName = "warren-server"
	// SessionsName is the parent of the per-login cgroups.
	SessionsName = "warren-sessions"
)

// maxMoveAttempts bounds how often Open moves processes out of its own
// cgroup and retries enabling controllers when a process arrived meanwhile
// (EBUSY).
const maxMoveAttempts = 5

// Options configures Open. Zero fields are discovered from /proc/self.
type Options struct {
	// Root is the cgroup2 mount point, e.g. /sys/fs/cgroup. Empty: the
	// cgroup2 mount in /proc/self/mountinfo that holds the server's cgroup.
	// Open does not check that a given Root is a cgroup2 filesystem, only
	// that it has cgroup.controllers; tests point it at a fake tree.
	Root string
	// Self is the server's cgroup relative to Root, e.g.
	// "/system.slice/warren.service", or "/" in a container with its own
	// cgroup namespace. Empty: the "0::" line of /proc/self/cgroup, made
	// relative to the mount's root when Root is discovered too.
	Self string
	// Memory asks for the memory controller besides pids, so that
	// Limits.MemoryBytes can be applied. Open fails if it is unavailable.
	Memory bool
}

// Limits for one login's cgroup. Zero means no limit for that resource.
type Limits struct {
	// Pids caps the login's processes and threads (pids.max).
	Pids int64
	// MemoryBytes caps the login's memory (memory.max); it needs a Tree
	// opened with Options.Memory.
	MemoryBytes int64
}

// Tree is warren's cgroup subtree: the cgroup SessionsName under the
// server's own cgroup, with pids (and memory) enabled for its children, one
// per login. Its methods are safe for concurrent use.
type Tree struct {
	k      kernel
	dir    string // <own>/warren-sessions
	memory bool   // memory is enabled for the login cgroups

	// mu serialises Login and Remove, so a Remove cannot rmdir a login's
	// cgroup between Login's mkdir and its limit writes. It does not cover
	// the time between Login's return and the child's start: the caller
	// must not Remove a login that is starting a session.
	mu sync.Mutex
}

// Open finds the cgroup v2 hierarchy and the server's own cgroup, and
// prepares the subtree where Login makes per-login cgroups, with the pids
// controller (and memory, with opts.Memory) enabled.
//
// It first checks every precondition without changing anything: a cgroup2
// mount, the server's cgroup in it, the controllers in its
// cgroup.controllers, a domain cgroup type, a writable mount and write
// permission. Only then does it move every process of the server's cgroup
// into the leaf LeafName (unless that cgroup is the hierarchy's real root),
// enable the controllers in the server's cgroup.subtree_control, create
// SessionsName and enable them there too. It is idempotent: a restart finds
// and reuses the same tree.
//
// When it cannot, the error explains why and wraps ErrNoCgroup2,
// ErrControllerMissing or ErrNotWritable; the caller should log it once and
// go on without cgroups. If a step after the checks fails, the steps before
// it stay done (processes moved, controllers enabled); they are harmless.
func Open(opts Options) (*Tree, error) {
	var h host
	if opts.Root == "" || opts.Self == "" {
		var err error
		if h, err = readHost(); err != nil {
			return nil, fmt.Errorf("open cgroup tree: %w", err)
		}
	}
	return open(opts, h, cgroupfs{})
}

// open is Open with the host's /proc files and the kernel given.
func open(opts Options, h host, k kernel) (*Tree, error) {
	p, err := probe(opts, h, k)
	if err != nil {
		return nil, fmt.Errorf("open cgroup tree: %w", err)
	}
	t, err := p.apply()
	if err != nil {
		return nil, fmt.Errorf("open cgroup tree %s: %w", p.own, err)
	}
	return t, nil
}

// Dir returns the directory that holds the login cgroups, for logs.
func (t *Tree) Dir() string { return t.dir }

// Login returns an open directory of login's cgroup, creating it if needed
// and writing l to it (pids.max, and memory.max when the Tree has the memory
// controller; a zero limit is written as "max", so calling Login again
// updates the limits of a running login). The file is opened
// O_RDONLY|O_DIRECTORY for syscall.SysProcAttr{UseCgroupFD: true,
// CgroupFD: int(f.Fd())}, which starts the child in the cgroup (clone3,
// Linux 5.7+). The caller closes it once the child started.
//
// login must be a simple name: not empty, at most 255 bytes, without '/',
// '.', NUL or newline (so it can never name "..", or an interface file such
// as "cgroup.procs"); otherwise the error wraps ErrInvalidLogin. A negative
// limit, or a memory limit on a Tree without memory, wraps
// ErrInvalidLimits.
func (t *Tree) Login(login string, l Limits) (*os.File, error) {
	if err := checkLogin(login); err != nil {
		return nil, fmt.Errorf("login cgroup: %w", err)
	}
	if l.Pids < 0 || l.MemoryBytes < 0 {
		return nil, fmt.Errorf("login cgroup %q: negative limit %+v: %w", login, l, ErrInvalidLimits)
	}
	if l.MemoryBytes > 0 && !t.memory {
		return nil, fmt.Errorf("login cgroup %q: memory limit without the memory controller (Options.Memory): %w", login, ErrInvalidLimits)
	}
	dir := filepath.Join(t.dir, login)

	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.k.Mkdir(dir); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create login cgroup: %w", notWritable(err))
	}
	if err := t.k.Write(filepath.Join(dir, "pids.max"), limitValue(l.Pids)); err != nil {
		return nil, fmt.Errorf("set pids.max of login cgroup %q: %w", login, notWritable(err))
	}
	if t.memory {
		if err := t.k.Write(filepath.Join(dir, "memory.max"), limitValue(l.MemoryBytes)); err != nil {
			return nil, fmt.Errorf("set memory.max of login cgroup %q: %w", login, notWritable(err))
		}
	}
	f, err := os.OpenFile(dir, os.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, fmt.Errorf("open login cgroup: %w", err)
	}
	return f, nil
}

// Remove removes login's cgroup. It is not an error if there is none. While
// processes remain in it the kernel refuses, and the error wraps
// syscall.EBUSY.
func (t *Tree) Remove(login string) error {
	if err := checkLogin(login); err != nil {
		return fmt.Errorf("remove login cgroup: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.k.Rmdir(filepath.Join(t.dir, login)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove login cgroup: %w", err)
	}
	return nil
}

// checkLogin refuses a login that is not a simple cgroup name.
func checkLogin(login string) error {
	switch {
	case login == "":
		return fmt.Errorf("empty login: %w", ErrInvalidLogin)
	case len(login) > 255:
		return fmt.Errorf("login of %d bytes: %w", len(login), ErrInvalidLogin)
	case strings.ContainsAny(login, "/.\x00\n"):
		return fmt.Errorf("login %q contains '/', '.', NUL or newline: %w", login, ErrInvalidLogin)
	}
	return nil
}

// limitValue is n as a cgroup limit: "max" for zero.
func limitValue(n int64) string {
	if n == 0 {
		return "max"
	}
	return strconv.FormatInt(n, 10)
}
