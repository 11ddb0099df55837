package history

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// NewReader streams every record on disk in dir, oldest first, across
// segments, holding one record in memory at a time. It never modifies the
// directory: a segment ends at its first torn or corrupt record (so a torn
// tail ends the stream cleanly) and the next segment follows, as after Open.
// A directory that does not exist yields an empty stream. Segments deleted
// by a running Ring before the reader reaches them are skipped.
func NewReader(dir string) (io.ReadCloser, error) {
	return newReader(osFS{}, dir)
}

func newReader(fsys fileSystem, dir string) (*reader, error) {
	segs, err := listSegments(fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("new history reader: %w", err)
	}
	return &reader{fs: fsys, dir: dir, segs: segs}, nil
}

type reader struct {
	fs   fileSystem
	dir  string
	segs []segment // not yet opened, oldest first
	f    file      // the open segment, nil between segments
	sc   *scanner
	rest []byte // unread part of the current record's payload
	err  error  // sticky
}

func (rd *reader) Read(p []byte) (int, error) {
	for len(rd.rest) == 0 {
		if rd.err != nil {
			return 0, rd.err
		}
		if rd.f == nil {
			rd.err = rd.openNext()
			continue
		}
		if rd.sc.next() {
			rd.rest = rd.sc.payload
			continue
		}
		if rd.sc.err != nil && !errors.Is(rd.sc.err, ErrCorrupt) {
			rd.err = fmt.Errorf("read history: %w", rd.sc.err)
		}
		rd.closeFile()
	}
	n := copy(p, rd.rest)
	rd.rest = rd.rest[n:]
	return n, nil
}

// openNext opens the next segment, reusing the scanner's buffers; it returns
// io.EOF when there is none.
func (rd *reader) openNext() error {
	for len(rd.segs) > 0 {
		name := filepath.Join(rd.dir, segName(rd.segs[0].seq))
		rd.segs = rd.segs[1:]
		f, err := rd.fs.OpenFile(name, os.O_RDONLY, 0)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read history: %w", err)
		}
		rd.f = f
		if rd.sc == nil {
			rd.sc = newScanner(f)
		} else {
			rd.sc.br.Reset(f)
			rd.sc.off, rd.sc.err = 0, nil
		}
		return nil
	}
	return io.EOF
}

func (rd *reader) closeFile() {
	if rd.f != nil {
		rd.f.Close() // read-only: nothing to lose
		rd.f = nil
	}
}

// Close releases the open segment. Read after Close returns fs.ErrClosed,
// or the error that ended the stream.
func (rd *reader) Close() error {
	rd.closeFile()
	rd.segs, rd.rest = nil, nil
	if rd.err == nil {
		rd.err = fs.ErrClosed
	}
	return nil
}

// Remove deletes a session's history directory and everything in it. The
// Ring using it, if any, must be closed first. A missing directory is not an
// error.
func Remove(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove history: %w", err)
	}
	if err := (osFS{}).SyncDir(filepath.Dir(filepath.Clean(dir))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove history: %w", err)
	}
	return nil
}

// DiskUsage returns the bytes held by segment files in dir; a missing
// directory holds none.
func DiskUsage(dir string) (int64, error) {
	segs, err := listSegments(osFS{}, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("history disk usage: %w", err)
	}
	var total int64
	for _, s := range segs {
		fi, err := os.Stat(filepath.Join(dir, segName(s.seq)))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed by a running Ring since the listing
		}
		if err != nil {
			return 0, fmt.Errorf("history disk usage: %w", err)
		}
		total += fi.Size()
	}
	return total, nil
}
