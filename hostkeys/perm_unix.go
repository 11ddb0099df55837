//go:build unix

package hostkeys

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// checkDir refuses a host-key directory that is not a directory, is writable
// by group or others, or is owned by neither the process's user nor root.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("not a directory (mode %s)", fi.Mode())
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%w (mode %04o, want 0700)", ErrInsecureDir, perm)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := os.Geteuid(); int(st.Uid) != uid && st.Uid != 0 {
			return fmt.Errorf("%w: directory owner uid %d, process uid %d", ErrOwner, st.Uid, uid)
		}
	}
	return nil
}

// readPrivate reads a private key file after checking, on the opened file
// itself, that it is a regular file (not a symlink), owned by the process's
// user, readable by that user and inaccessible to group and others. A
// missing file yields an error matching fs.ErrNotExist.
func readPrivate(path string) ([]byte, error) {
	// Lstat first, for a clear message; O_NOFOLLOW below closes the race.
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return nil, fmt.Errorf("%w (points to %q); replace it with the key file itself", ErrSymlink, target)
	}
	// Check the mode before opening too, so a 0000 file is reported as
	// unprotected whether or not the process could open it.
	if err := checkPrivateMode(fi); err != nil {
		return nil, err
	}
	// O_NONBLOCK keeps a FIFO swapped in after the Lstat from blocking.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, ErrSymlink
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	fi, err = f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkPrivateMode(fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidKey, maxKeyFile)
	}
	return data, nil
}

// checkPrivateMode applies the ownership and mode rules to an opened key file.
func checkPrivateMode(fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w (mode %s)", ErrNotRegular, fi.Mode().Type())
	}
	perm := fi.Mode().Perm()
	if perm&0o077 != 0 {
		return fmt.Errorf("%w: permissions %04o are too open, want 0600 (chmod 600 the file)", ErrUnprotected, perm)
	}
	if perm&0o400 == 0 {
		return fmt.Errorf("%w: permissions %04o deny the owner read access, want 0600", ErrUnprotected, perm)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := os.Geteuid(); int(st.Uid) != uid {
			return fmt.Errorf("%w: file owner uid %d, process uid %d", ErrOwner, st.Uid, uid)
		}
	}
	return nil
}
