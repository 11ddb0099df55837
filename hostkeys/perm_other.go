//go:build !unix

package hostkeys

import (
	"fmt"
	"io/fs"
	"os"
)

// checkDir only checks that dir is a directory: ownership and Unix modes do
// not apply on this platform.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("not a directory (mode %s)", fi.Mode())
	}
	return nil
}

// readPrivate refuses symlinks and non-regular files and reads the key.
func readPrivate(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, ErrSymlink
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w (mode %s)", ErrNotRegular, fi.Mode().Type())
	}
	if fi.Size() > maxKeyFile {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidKey, maxKeyFile)
	}
	return os.ReadFile(path)
}
