package workspace

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// renameNoReplace renames from to to, both single names in r, failing with
// an fs.ErrExist error if to exists in any form: renameat2 with
// RENAME_NOREPLACE on the root's own directory, so there is no window
// between a check and the rename.
func renameNoReplace(r *os.Root, from, to string) error {
	d, err := r.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	sc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var rerr error
	if err := sc.Control(func(fd uintptr) {
		rerr = unix.Renameat2(int(fd), from, int(fd), to, unix.RENAME_NOREPLACE)
	}); err != nil {
		return err
	}
	if errors.Is(rerr, unix.ENOSYS) || errors.Is(rerr, unix.EINVAL) {
		// The kernel or the filesystem lacks RENAME_NOREPLACE.
		return renameChecked(r, from, to)
	}
	if rerr != nil {
		return &os.LinkError{Op: "renameat2", Old: from, New: to, Err: rerr}
	}
	return nil
}
