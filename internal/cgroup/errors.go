package cgroup

import "errors"

// Errors returned by Open, Tree.Login and Tree.Remove, wrapped with the
// path and the reason; test them with errors.Is.
var (
	// ErrNoCgroup2: there is no cgroup v2 hierarchy, the server's cgroup
	// is not in it (no cgroup.controllers, outside the cgroup namespace), or
	// it is not a "domain" cgroup (threaded).
	ErrNoCgroup2 = errors.New("no usable cgroup v2 hierarchy")
	// ErrControllerMissing: a wanted controller is not in the server's
	// cgroup.controllers: bound to a cgroup v1 hierarchy on a hybrid host,
	// or not delegated by the parent cgroup. The message names it.
	ErrControllerMissing = errors.New("cgroup controller not available")
	// ErrNotWritable: the server's cgroup is on a read-only mount or the
	// server lacks write permission on it. The underlying errno (EROFS,
	// EACCES…) is wrapped too.
	ErrNotWritable = errors.New("cgroup not writable")
	// ErrInvalidLogin: a login is not a simple cgroup name.
	ErrInvalidLogin = errors.New("invalid login")
	// ErrInvalidLimits: a limit is negative, or a memory limit was asked of
	// a Tree opened without the memory controller.
	ErrInvalidLimits = errors.New("invalid limits")
)
