package isolation

import (
	"os/exec"
	"path/filepath"
	"strconv"
)

// Sandbox is a bubblewrap sandbox around one program: the whole file
// system read-only, the server's directories (the data dir, the host keys)
// replaced by empty ones, and only the login's own directories writable. It
// runs as the login's uid in new user, pid, ipc and uts namespaces, so it
// sees no other process of the host, and with the login's own user
// database as /etc/passwd and /etc/group. The network is shared, since the
// program talks to its API.
type Sandbox struct {
	// Bwrap is the bwrap binary.
	Bwrap string
	// Hide are directories the program sees as empty.
	Hide []string
	// Writable are directories bound read-write at the same path; they may
	// lie inside a hidden one.
	Writable []string
	// UID and GID are the ids inside the sandbox (the login's own).
	UID, GID uint32
	// Passwd and Group, when set, are bound read-only over /etc/passwd and
	// /etc/group (Account.Passwd, Account.Group): every program resolves
	// the login's uid, with no preload.
	Passwd, Group string
}

// Wrap rewrites cmd to run inside the sandbox. Call it before Wrap of the
// shim: the shim sets limits, then execs bwrap, which runs the program.
func (s Sandbox) Wrap(cmd *exec.Cmd) error {
	if cmd.Err != nil {
		return cmd.Err
	}
	args := []string{"bwrap",
		"--die-with-parent",
		"--unshare-user", "--uid", strconv.FormatUint(uint64(s.UID), 10), "--gid", strconv.FormatUint(uint64(s.GID), 10),
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		"--ro-bind", "/", "/",
		"--dev", "/dev",
		"--proc", "/proc",
		"--tmpfs", "/tmp",
	}
	for _, d := range s.Hide {
		args = append(args, "--tmpfs", filepath.Clean(d))
	}
	for _, d := range s.Writable {
		args = append(args, "--bind", filepath.Clean(d), filepath.Clean(d))
	}
	for _, f := range []struct{ src, dst string }{{s.Passwd, "/etc/passwd"}, {s.Group, "/etc/group"}} {
		if f.src != "" {
			args = append(args, "--ro-bind", filepath.Clean(f.src), f.dst)
		}
	}
	if cmd.Dir != "" {
		args = append(args, "--chdir", cmd.Dir)
	}
	args = append(args, "--", cmd.Path)
	cmd.Args = append(args, cmd.Args[1:]...)
	cmd.Path = s.Bwrap
	return nil
}
