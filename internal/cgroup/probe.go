package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// host is what Open reads about the running process from /proc.
type host struct {
	cgroups []procCgroup // /proc/self/cgroup
	mounts  []mount      // /proc/self/mountinfo
}

// readHost reads /proc/self/cgroup and /proc/self/mountinfo.
func readHost() (host, error) {
	cg, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return host{}, fmt.Errorf("%w: %w", ErrNoCgroup2, err)
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return host{}, fmt.Errorf("%w: %w", ErrNoCgroup2, err)
	}
	return host{cgroups: parseProcCgroup(cg), mounts: parseMountinfo(mi)}, nil
}

// plan is what probe found; apply carries it out.
type plan struct {
	k      kernel
	own    string   // the server's own cgroup directory
	isRoot bool     // own is the real root of the hierarchy
	ctrls  []string // controllers to enable: "pids", maybe "memory"
}

// probe finds the server's cgroup and checks every precondition of apply.
// It only reads.
func probe(opts Options, h host, k kernel) (*plan, error) {
	root, self, err := locate(opts, h)
	if err != nil {
		return nil, err
	}
	// A previous start moved the server into the leaf; use its parent.
	if self != "/" && path.Base(self) == LeafName {
		self = path.Dir(self)
	}
	p := &plan{k: k, own: filepath.Join(root, filepath.FromSlash(self)), ctrls: []string{"pids"}}
	if opts.Memory {
		p.ctrls = append(p.ctrls, "memory")
	}

	have, err := readList(filepath.Join(p.own, "cgroup.controllers"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no cgroup.controllers: not a cgroup v2 hierarchy", ErrNoCgroup2, p.own)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoCgroup2, err)
	}
	// Only non-root cgroups have cgroup.type. A cgroup namespace's root is
	// not the hierarchy's root, so it has one.
	typ, err := os.ReadFile(filepath.Join(p.own, "cgroup.type"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		p.isRoot = true
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrNoCgroup2, err)
	case strings.TrimSpace(string(typ)) != "domain":
		return nil, fmt.Errorf("%w: %s is a %q cgroup; per-login limits need a \"domain\" cgroup", ErrNoCgroup2, p.own, strings.TrimSpace(string(typ)))
	}

	var reasons []string
	for _, c := range p.ctrls {
		if !slices.Contains(have, c) {
			reasons = append(reasons, missingReason(c, have, p, h))
		}
	}
	if len(reasons) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrControllerMissing, strings.Join(reasons, "; "))
	}

	// Everything apply will write, in the order it writes it. Only paths
	// that exist can be checked; what apply creates inherits from these.
	checks := []string{p.own, filepath.Join(p.own, "cgroup.subtree_control")}
	if !p.isRoot {
		checks = append(checks, filepath.Join(p.own, "cgroup.procs"))
	}
	for _, name := range []string{LeafName, SessionsName} {
		dir := filepath.Join(p.own, name)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		checks = append(checks, dir, filepath.Join(dir, "cgroup.procs"), filepath.Join(dir, "cgroup.subtree_control"))
	}
	for _, c := range checks {
		if err := k.Writable(c); err != nil {
			return nil, notWritable(err)
		}
	}
	return p, nil
}

// locate returns the cgroup2 mount point and the server's cgroup relative
// to it, cleaned and absolute ("/", "/a/b").
func locate(opts Options, h host) (root, self string, err error) {
	root, self = opts.Root, opts.Self
	if self == "" {
		ns, ok := unifiedPath(h.cgroups)
		if !ok {
			return "", "", fmt.Errorf("%w: no cgroup v2 (\"0::\") line in /proc/self/cgroup", ErrNoCgroup2)
		}
		self = ns
		if root == "" {
			m, ok := mountHolding(h.mounts, ns)
			if !ok {
				if !slices.ContainsFunc(h.mounts, isCgroup2) {
					return "", "", fmt.Errorf("%w: no cgroup2 filesystem in /proc/self/mountinfo", ErrNoCgroup2)
				}
				return "", "", fmt.Errorf("%w: no cgroup2 mount holds the server's cgroup %s", ErrNoCgroup2, ns)
			}
			root, self = m.Point, "/"+strings.TrimPrefix(strings.TrimPrefix(ns, m.Root), "/")
		}
	} else if root == "" {
		i := slices.IndexFunc(h.mounts, isCgroup2)
		if i < 0 {
			return "", "", fmt.Errorf("%w: no cgroup2 filesystem in /proc/self/mountinfo", ErrNoCgroup2)
		}
		root = h.mounts[i].Point
	}
	// The kernel shows a cgroup outside the reader's cgroup namespace as
	// "/../…"; Clean would hide that.
	if slices.Contains(strings.Split(self, "/"), "..") {
		return "", "", fmt.Errorf("%w: the server's cgroup %s is outside its cgroup namespace", ErrNoCgroup2, self)
	}
	return root, path.Clean("/" + self), nil
}

func isCgroup2(m mount) bool { return m.FSType == "cgroup2" }

// mountHolding returns the first cgroup2 mount whose root holds cgroup p.
func mountHolding(mounts []mount, p string) (mount, bool) {
	for _, m := range mounts {
		if !isCgroup2(m) {
			continue
		}
		if m.Root == "/" || p == m.Root || strings.HasPrefix(p, m.Root+"/") {
			return m, true
		}
	}
	return mount{}, false
}

// missingReason says why controller c is not in p.own's cgroup.controllers
// (have), as precisely as the host's /proc files tell.
func missingReason(c string, have []string, p *plan, h host) string {
	listed := "it is empty"
	if len(have) > 0 {
		listed = fmt.Sprintf("it lists %q", strings.Join(have, " "))
	}
	s := fmt.Sprintf("%q is not in %s (%s): ", c, filepath.Join(p.own, "cgroup.controllers"), listed)
	for _, pc := range h.cgroups {
		if pc.ID == 0 || !slices.Contains(pc.Controllers, c) {
			continue
		}
		where := "hierarchy " + strconv.Itoa(pc.ID)
		for _, m := range h.mounts {
			if m.FSType == "cgroup" && slices.Contains(m.SuperOpts, c) {
				where = "hierarchy mounted at " + m.Point
				break
			}
		}
		return s + "it is bound to the cgroup v1 " + where + " (a hybrid host; a controller serves one hierarchy only)"
	}
	switch {
	case h.cgroups == nil:
		return s + "it is bound to a cgroup v1 hierarchy (a hybrid host) or not delegated to this cgroup by its parent"
	case p.isRoot:
		return s + "the kernel does not provide it"
	default:
		return s + "the parent cgroup does not delegate it (it must enable it in its cgroup.subtree_control; under systemd: Delegate=yes)"
	}
}

// apply carries out the plan; see Open.
func (p *plan) apply() (*Tree, error) {
	enable := filepath.Join(p.own, "cgroup.subtree_control")
	need, err := missingIn(enable, p.ctrls)
	if err != nil {
		return nil, err
	}
	for attempt := 1; len(need) > 0; attempt++ {
		if !p.isRoot {
			if err := p.moveProcs(filepath.Join(p.own, LeafName)); err != nil {
				return nil, err
			}
		}
		err := p.k.Write(enable, enableValue(need))
		if err == nil {
			break
		}
		// EBUSY: a process joined the cgroup since the move.
		if !errors.Is(err, unix.EBUSY) || p.isRoot || attempt == maxMoveAttempts {
			return nil, fmt.Errorf("enable controllers: %w", notWritable(err))
		}
	}

	sessions := filepath.Join(p.own, SessionsName)
	if err := p.k.Mkdir(sessions); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create sessions cgroup: %w", notWritable(err))
	}
	enable = filepath.Join(sessions, "cgroup.subtree_control")
	if need, err = missingIn(enable, p.ctrls); err != nil {
		return nil, err
	}
	if len(need) > 0 {
		if err := p.k.Write(enable, enableValue(need)); err != nil {
			return nil, fmt.Errorf("enable controllers: %w", notWritable(err))
		}
	}
	return &Tree{k: p.k, dir: sessions, memory: slices.Contains(p.ctrls, "memory")}, nil
}

// moveProcs moves every process in p.own into leaf, creating it if there
// are any. A process that exits meanwhile is skipped.
func (p *plan) moveProcs(leaf string) error {
	procs, err := readList(filepath.Join(p.own, "cgroup.procs"))
	if err != nil || len(procs) == 0 {
		return err
	}
	if err := p.k.Mkdir(leaf); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create server leaf cgroup: %w", notWritable(err))
	}
	for _, pid := range procs {
		err := p.k.Write(filepath.Join(leaf, "cgroup.procs"), pid)
		if err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("move process %s to %s: %w", pid, leaf, notWritable(err))
		}
	}
	return nil
}

// missingIn returns the controllers of want that file (a
// cgroup.subtree_control) does not list.
func missingIn(file string, want []string) ([]string, error) {
	have, err := readList(file)
	if err != nil {
		return nil, err
	}
	var need []string
	for _, c := range want {
		if !slices.Contains(have, c) {
			need = append(need, c)
		}
	}
	return need, nil
}

// enableValue is the cgroup.subtree_control write that enables ctrls.
func enableValue(ctrls []string) string {
	return "+" + strings.Join(ctrls, " +")
}

// readList reads a whitespace-separated cgroup file (cgroup.controllers,
// cgroup.subtree_control, cgroup.procs).
func readList(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(b)), nil
}
