package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// kernel is what cgroupfs does that plain files cannot: a new cgroup
// directory comes with interface files, a write has effects (moving a
// process, enabling a controller) and can be refused, rmdir removes a
// cgroup whose interface files are still there. Reads go to the files
// directly. Tests fake it over a directory tree in t.TempDir().
type kernel interface {
	// Mkdir creates the cgroup dir.
	Mkdir(dir string) error
	// Rmdir removes the cgroup dir; EBUSY while it holds processes or
	// children.
	Rmdir(dir string) error
	// Write writes value to the interface file in one write(2), as
	// cgroupfs requires.
	Write(file, value string) error
	// Writable reports why the server could not write path (a file or a
	// directory): a read-only mount or no write permission. It changes
	// nothing.
	Writable(path string) error
}

// cgroupfs is the real kernel.
type cgroupfs struct{}

var _ kernel = cgroupfs{}

func (cgroupfs) Mkdir(dir string) error { return os.Mkdir(dir, 0o755) }

func (cgroupfs) Rmdir(dir string) error {
	// os.Remove would try unlink first; a cgroup is only ever a directory.
	if err := unix.Rmdir(dir); err != nil {
		return &fs.PathError{Op: "rmdir", Path: dir, Err: err}
	}
	return nil
}

func (cgroupfs) Write(file, value string) error {
	// No O_CREATE and no O_TRUNC: an interface file that is missing means
	// the controller is not enabled, and must fail rather than be made.
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.Write([]byte(value))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (cgroupfs) Writable(path string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return &fs.PathError{Op: "statfs", Path: path, Err: err}
	}
	if st.Flags&unix.ST_RDONLY != 0 {
		return &fs.PathError{Op: "check write access", Path: path, Err: unix.EROFS}
	}
	// access(2) checks the real uid; warren is not setuid, so it is the
	// effective one.
	if err := unix.Access(path, unix.W_OK); err != nil {
		return &fs.PathError{Op: "check write access", Path: path, Err: err}
	}
	return nil
}

// notWritable wraps err from kernel.Writable or from a write refused for
// lack of permission, so callers can test it with ErrNotWritable and with
// the errno.
func notWritable(err error) error {
	if errors.Is(err, unix.EROFS) {
		return fmt.Errorf("%w: read-only mount: %w", ErrNotWritable, err)
	}
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%w: permission denied: %w", ErrNotWritable, err)
	}
	return err
}
