package quota

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Usage is one measurement of a login's trees.
type Usage struct {
	Bytes    int64         // allocated on disk: st_blocks × 512
	Entries  int64         // files, directories, links and others counted
	Measured time.Time     // when the measurement ended
	Took     time.Duration // how long it took, pacing included
}

// readBatch is how many names are read from a directory at once, so that
// a directory of a million entries is not held in memory whole.
const readBatch = 1024

// paceEvery is how many entries are counted between two checks of the pace.
const paceEvery = 64

// Measure walks each of roots (a missing one counts nothing) and returns
// what they take together, at most rate entries a second (rate ≤ 0: as
// fast as it can). It ends early, with ctx's error, when ctx does.
// Entries it cannot read (gone meanwhile, or refused) are left out.
func Measure(ctx context.Context, roots []string, rate int) (Usage, error) {
	w := &walker{ctx: ctx, rate: rate, start: time.Now(), seen: map[fileID]bool{}}
	for _, r := range roots {
		if err := w.tree(r); err != nil {
			return Usage{}, err
		}
	}
	now := time.Now()
	return Usage{Bytes: w.bytes, Entries: w.entries, Measured: now, Took: now.Sub(w.start)}, nil
}

// fileID is a file's identity, to count a file with several links once.
type fileID struct{ dev, ino uint64 }

type walker struct {
	ctx     context.Context
	rate    int
	start   time.Time
	bytes   int64
	entries int64
	seen    map[fileID]bool // files with several links, counted already
}

// pending is a directory still to read: its path in the tree and the
// identity it had when it was counted, which the directory opened later
// must still have (a tenant may swap it for a link meanwhile).
type pending struct {
	rel string
	id  fileID
}

// tree counts the tree at root, a directory (a root that is anything
// else, a symlink included, counts nothing).
func (w *walker) tree(root string) error {
	var lst unix.Stat_t
	if err := unix.Lstat(root, &lst); err != nil || lst.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil
	}
	r, err := os.OpenRoot(root)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		return err
	}
	defer r.Close()
	fi, err := r.Lstat(".")
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("quota: no stat data")
	}
	if uint64(st.Dev) != lst.Dev || st.Ino != lst.Ino {
		return nil // swapped meanwhile
	}
	dev := uint64(st.Dev)
	w.count(st.Blocks)
	stack := []pending{{".", fileID{dev, st.Ino}}}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		more, err := w.dir(r, d, dev)
		if err != nil {
			return err
		}
		stack = append(stack, more...)
	}
	return nil
}

// dir counts the entries of one directory and returns its subdirectories
// on the same file system.
func (w *walker) dir(r *os.Root, d pending, dev uint64) ([]pending, error) {
	f, err := r.OpenFile(d.rel, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, nil // gone, or swapped for a link: not ours to count
	}
	defer f.Close()
	var fst unix.Stat_t
	fd := int(f.Fd())
	if err := unix.Fstat(fd, &fst); err != nil || (fileID{fst.Dev, fst.Ino}) != d.id {
		return nil, nil // not the directory that was counted
	}
	var subdirs []pending
	for {
		names, err := f.Readdirnames(readBatch)
		for _, name := range names {
			if err := w.pace(); err != nil {
				return nil, err
			}
			// A link is counted as itself, never what it points to.
			var st unix.Stat_t
			if unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
				continue
			}
			if st.Dev != dev {
				continue // a mount point: another file system's
			}
			if st.Mode&unix.S_IFMT == unix.S_IFDIR {
				w.count(st.Blocks)
				subdirs = append(subdirs, pending{path.Join(d.rel, name), fileID{dev, st.Ino}})
				continue
			}
			if st.Nlink > 1 {
				id := fileID{dev, st.Ino}
				if w.seen[id] {
					w.entries++
					continue
				}
				w.seen[id] = true
			}
			w.count(st.Blocks)
		}
		if errors.Is(err, io.EOF) || len(names) == 0 {
			return subdirs, nil
		}
		if err != nil {
			return subdirs, nil // what could be read is counted
		}
	}
}

// count adds one entry of blocks 512-byte blocks.
func (w *walker) count(blocks int64) {
	w.entries++
	w.bytes += blocks * 512
}

// pace sleeps as needed to keep the walk at w.rate entries a second.
func (w *walker) pace() error {
	if w.entries%paceEvery != 0 {
		return nil
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if w.rate <= 0 {
		return nil
	}
	ahead := time.Duration(w.entries)*time.Second/time.Duration(w.rate) - time.Since(w.start)
	if ahead <= 0 {
		return nil
	}
	t := time.NewTimer(ahead)
	defer t.Stop()
	select {
	case <-w.ctx.Done():
		return w.ctx.Err()
	case <-t.C:
		return nil
	}
}
