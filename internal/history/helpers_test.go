package history

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pattern returns n deterministic, non-repeating-looking bytes.
func pattern(n int, seed byte) []byte {
	p := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range p {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		p[i] = byte(x)
	}
	return p
}

func mustOpen(t testing.TB, o Options) *Ring {
	t.Helper()
	r, err := Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func mustWrite(t testing.TB, r *Ring, p []byte) {
	t.Helper()
	if n, err := r.Write(p); n != len(p) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(p))
	}
}

func mustFlush(t testing.TB, r *Ring) {
	t.Helper()
	if err := r.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

func readAll(t testing.TB, dir string) []byte {
	t.Helper()
	rd, err := NewReader(dir)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("read history: %v", err)
	}
	return b
}

// same compares byte slices and reports a short description on mismatch.
func same(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes %q; want %d bytes %q", what, len(got), clip(got), len(want), clip(want))
	}
}

func clip(b []byte) []byte {
	if len(b) > 48 {
		return b[:48]
	}
	return b
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// logBuf collects log output for counting messages.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), msg)
}

func (l *logBuf) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fakeFS is the OS file system with injectable faults.
type fakeFS struct {
	osFS
	mu       sync.Mutex
	budget   int64 // bytes writable before ENOSPC; negative means unlimited
	syncErr  error
	truncErr error
	readErr  error
	dirSyncs int
}

func newFakeFS() *fakeFS { return &fakeFS{budget: -1} }

func (f *fakeFS) set(fn func(f *fakeFS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeFS) OpenFile(name string, flag int, perm os.FileMode) (file, error) {
	inner, err := f.osFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &fakeFile{file: inner, fs: f, name: name}, nil
}

func (f *fakeFS) SyncDir(dir string) error {
	f.mu.Lock()
	f.dirSyncs++
	f.mu.Unlock()
	return f.osFS.SyncDir(dir)
}

type fakeFile struct {
	file
	fs   *fakeFS
	name string
}

func (f *fakeFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	b := f.fs.budget
	if b >= 0 && int64(len(p)) > b {
		f.fs.budget = 0
		f.fs.mu.Unlock()
		n, _ := f.file.Write(p[:b]) // a torn write, as a full disk leaves it
		return n, &os.PathError{Op: "write", Path: f.name, Err: syscall.ENOSPC}
	}
	if b >= 0 {
		f.fs.budget -= int64(len(p))
	}
	f.fs.mu.Unlock()
	return f.file.Write(p)
}

func (f *fakeFile) Read(p []byte) (int, error) {
	f.fs.mu.Lock()
	err := f.fs.readErr
	f.fs.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return f.file.Read(p)
}

func (f *fakeFile) Sync() error {
	f.fs.mu.Lock()
	err := f.fs.syncErr
	f.fs.mu.Unlock()
	if err != nil {
		return &os.PathError{Op: "fdatasync", Path: f.name, Err: err}
	}
	return f.file.Sync()
}

func (f *fakeFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	err := f.fs.truncErr
	f.fs.mu.Unlock()
	if err != nil {
		return &os.PathError{Op: "truncate", Path: f.name, Err: err}
	}
	return f.file.Truncate(size)
}
