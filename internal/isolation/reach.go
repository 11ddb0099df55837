package isolation

import (
	"bytes"
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
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	if exec {
		fi, err := os.Stat(real)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("%s has mode %04o: others cannot execute it", real, fi.Mode().Perm())
		}
	}
	// The other uid passes through the directories the path names and
	// those its symlinks lead to, which may lie elsewhere.
	for _, p := range []string{abs, real} {
		start := p
		if exec {
			start = filepath.Dir(p)
		}
		if err := searchable(start); err != nil {
			return err
		}
	}
	return nil
}

// searchable reports whether others may search dir and every directory
// above it.
func searchable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
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

// CopyExecutable copies the program at src to dir/name (dir made 0711,
// the copy 0755) unless an identical copy is there, and returns its path.
// It is for a warren binary that session uids cannot reach, such as one
// built by `go run` into a 0700 build cache: sessions start through the
// copy. The copy is written beside and renamed into place.
func CopyExecutable(src, dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, name)
	want, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	if got, err := os.ReadFile(dst); err == nil && bytes.Equal(got, want) {
		if fi, err := os.Lstat(dst); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() == 0o755 {
			return dst, nil
		}
	}
	tmp, err := os.CreateTemp(dir, "."+name+"-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(want); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", err
	}
	return dst, nil
}
