package isolation

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// ShimCommand is the hidden warren subcommand every session program and
// git starts through: `warren session-exec [flags] -- PATH ARGV0 ARGS…`.
// It runs already as the login's uid, sets the umask and resource limits
// that Go's os/exec cannot set in a child, then replaces itself with the
// program (same pid, same terminal, same process group).
const ShimCommand = "session-exec"

// Limits are per-program resource limits, set before exec. Zero leaves a
// limit as inherited.
type Limits struct {
	// Procs is RLIMIT_NPROC. The kernel counts it per uid, so in isolated
	// mode it bounds all of one login's processes together.
	Procs uint64
	// Files is RLIMIT_NOFILE, per process.
	Files uint64
}

// ShimBinary is the standalone shim, built from cmd/warren-session-exec
// and installed beside warren. It does what `warren session-exec` does,
// but starts in a fraction of the time: the warren binary's package
// initialisation alone (width tables of the terminal model, among others)
// costs about 40 ms per program start.
const ShimBinary = "warren-session-exec"

// Umask is the file mode creation mask every program starts with: what a
// session creates is its login's alone.
const Umask = 0o077

// Wrap rewrites cmd, made by exec.Command, to start through the shim at
// path, which the login's uid must reach: a ShimBinary, started as itself,
// or the warren binary, started as `warren session-exec`. cmd's
// environment, directory and SysProcAttr are kept; the shim passes the
// environment on unchanged.
func Wrap(cmd *exec.Cmd, path string, l Limits) error {
	if cmd.Err != nil {
		return cmd.Err
	}
	args := []string{"warren", ShimCommand}
	if filepath.Base(path) == ShimBinary {
		args = []string{ShimBinary}
	}
	args = append(args,
		"-umask", strconv.FormatUint(Umask, 8),
		"-nproc", strconv.FormatUint(l.Procs, 10),
		"-nofile", strconv.FormatUint(l.Files, 10),
		"--", cmd.Path)
	cmd.Args = append(args, cmd.Args...)
	cmd.Path = path
	return nil
}

// Shim is ShimCommand's body, run in the child with args after the
// command name. It returns only on failure, with an exit status; the
// error is written to stderr, which is the session's terminal.
func Shim(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet(ShimCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	umask := fs.String("umask", "077", "file mode creation mask (octal)")
	nproc := fs.Uint64("nproc", 0, "RLIMIT_NPROC; 0 keeps the inherited limit")
	nofile := fs.Uint64("nofile", 0, "RLIMIT_NOFILE; 0 keeps the inherited limit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) < 2 {
		fmt.Fprintf(stderr, "warren %s: want -- PATH ARGV0 [ARGS...]\n", ShimCommand)
		return 2
	}
	mask, err := strconv.ParseUint(*umask, 8, 32)
	if err != nil || mask > 0o777 {
		fmt.Fprintf(stderr, "warren %s: bad umask %q\n", ShimCommand, *umask)
		return 2
	}
	syscall.Umask(int(mask))
	for _, l := range []struct {
		res  int
		name string
		v    uint64
	}{{rlimitNproc, "processes", *nproc}, {syscall.RLIMIT_NOFILE, "open files", *nofile}} {
		if err := lower(l.res, l.v); err != nil {
			fmt.Fprintf(stderr, "warren %s: limit %s to %d: %v\n", ShimCommand, l.name, l.v, err)
			return 126
		}
	}
	path, argv := rest[0], rest[1:]
	err = syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(stderr, "warren: cannot start %s: %v\r\n", path, err)
	return 127
}

// rlimitNproc is RLIMIT_NPROC, which package syscall does not name.
const rlimitNproc = 6

// lower sets both the soft and the hard limit of res to v, or keeps a
// lower hard limit; v == 0 changes nothing. An unprivileged process can
// lower its hard limit but never raise it back.
func lower(res int, v uint64) error {
	if v == 0 {
		return nil
	}
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(res, &cur); err != nil {
		return err
	}
	n := min(v, cur.Max)
	return syscall.Setrlimit(res, &syscall.Rlimit{Cur: n, Max: n})
}
