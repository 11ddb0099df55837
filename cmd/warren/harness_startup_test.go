package main

// Commands for the scripts about a newcomer's first start: warren started
// as `go run ./cmd/warren serve` starts it, and files handed to another
// user.

import (
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// goRun places a copy of warren where `go run ./cmd/warren` builds it:
// alone, with no warren-session-exec beside it, in a 0700 directory
// ($PWD/.go-build/exe, as go's own /tmp/go-build…/exe). Sessions running as
// other uids cannot reach it, so warren copies itself under the data dir.
// With -as USER first in args, that directory is USER's and warren runs as
// USER (setpriv, no supplementary groups, no capabilities). It returns the
// binary, the command prefix that starts it, and the rest of args.
func goRun(ts *testscript.TestScript, args []string) (bin string, prefix, rest []string) {
	uid, gid := -1, -1
	if len(args) >= 2 && args[0] == "-as" {
		u, err := user.Lookup(args[1])
		ts.Check(err)
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		prefix = []string{lookPath(ts, "setpriv"), "--reuid=" + u.Uid, "--regid=" + u.Gid, "--clear-groups", "--"}
		args = args[2:]
	}
	dir := ts.MkAbs(filepath.Join(".go-build", "exe"))
	ts.Check(os.MkdirAll(dir, 0o700))
	ts.Check(os.Chmod(filepath.Dir(dir), 0o700))
	bin = filepath.Join(dir, "warren")
	src, err := os.Open(lookPath(ts, "warren"))
	ts.Check(err)
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	ts.Check(err)
	_, err = io.Copy(dst, src)
	ts.Check(err)
	ts.Check(dst.Close())
	if uid >= 0 {
		for _, p := range []string{filepath.Dir(dir), dir, bin} {
			ts.Check(os.Chown(p, uid, gid))
		}
	}
	return bin, prefix, args
}

// chown USER PATH...: hands each PATH and everything under it to USER and
// USER's group; a symlink is re-owned, not followed.
func cmdChown(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: chown USER PATH...")
	}
	u, err := user.Lookup(args[0])
	ts.Check(err)
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, p := range args[1:] {
		ts.Check(filepath.WalkDir(ts.MkAbs(p), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, uid, gid)
		}))
	}
}
