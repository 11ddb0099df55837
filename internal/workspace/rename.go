package workspace

import (
	"fmt"
	"io/fs"
	"os"
)

// renameChecked is the portable fallback of renameNoReplace: an Lstat, then
// os.Root.Rename, which itself refuses to replace a directory.
func renameChecked(r *os.Root, from, to string) error {
	if _, err := r.Lstat(to); err == nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: fs.ErrExist}
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("rename: %w", err)
	}
	return r.Rename(from, to)
}
