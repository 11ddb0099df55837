//go:build !linux

package workspace

import "os"

// renameNoReplace renames from to to, both single names in r, failing with
// an fs.ErrExist error if to exists. Without renameat2 a check precedes the
// rename.
func renameNoReplace(r *os.Root, from, to string) error {
	return renameChecked(r, from, to)
}
