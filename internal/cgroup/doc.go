// Package cgroup owns warren's cgroup v2 subtree: one cgroup per login, with
// pids and memory limits, into which the session manager starts that login's
// processes (syscall.SysProcAttr.UseCgroupFD with the directory Tree.Login
// returns).
//
// # Layout
//
// Open takes the server's own cgroup (the "0::" line of /proc/self/cgroup,
// under the cgroup2 mount) and lays it out as systemd and container runtimes
// do, to obey cgroup v2's "no internal processes" rule — a non-root cgroup
// that holds processes cannot give controllers to its children:
//
//	<own>/                     cgroup.subtree_control: +pids [+memory]
//	<own>/warren-server/       every process that was in <own> (the server)
//	<own>/warren-sessions/     cgroup.subtree_control: +pids [+memory]
//	<own>/warren-sessions/<login>/   pids.max, memory.max
//
// Every process in <own> is moved, not only the server's: inside a container
// with a cgroup namespace <own> is the namespace root and also holds the
// init process and anything "docker exec" started. When <own> is the real
// root of the hierarchy nothing is moved (the root may hold processes). When
// the server already runs in a leaf named warren-server (a previous start
// moved it), Open uses its parent, so a restart finds the same tree.
//
// # When it cannot
//
// Open checks every precondition before it changes anything: a cgroup2
// mount, the server's cgroup inside it, the controllers listed in that
// cgroup's cgroup.controllers (a hybrid host binds them to cgroup v1
// instead; a parent that does not delegate them leaves them out), a domain
// cgroup, a writable mount and write permission on the files it will write.
// If one fails it returns an error saying which and why, wrapping
// ErrNoCgroup2, ErrControllerMissing or ErrNotWritable, and the caller runs
// without per-login limits. Nothing is ever faked: a Tree exists only when
// the kernel accepted the layout.
//
// Package cgroup must not start processes, track sessions or import other
// warren packages. It does not decide limits; the caller passes them.
package cgroup
