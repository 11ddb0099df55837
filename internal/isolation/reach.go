package isolation

import (
	"fmt"
	"os"
	"path/filepath"
)

// CheckReachable reports whether a process of an unrelated uid can reach
// path: every directory above it must be searchable by others, and path
// itself too when it is a directory, or executable by others when exec is
// set (a program to run). The error names the first path in the way and
// its mode.
func CheckReachable(path string, exec bool) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if exec {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return err
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("%s has mode %04o: others cannot execute it", abs, fi.Mode().Perm())
		}
	}
	start := abs
	if exec {
		start = filepath.Dir(abs)
	}
	for d := start; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("%s has mode %04o: others cannot pass through it", d, fi.Mode().Perm())
		}
		if d == "/" {
			return nil
		}
	}
}
