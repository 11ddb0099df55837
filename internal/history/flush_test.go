package history

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestFlushENOSPC(t *testing.T) {
	tests := []struct {
		name   string
		budget int64 // bytes the disk takes before ENOSPC
	}{
		{name: "no space at all", budget: 0},
		{name: "torn header", budget: 5},
		{name: "torn payload", budget: headerLen + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			seg := filepath.Join(dir, segName(1))
			fsys := newFakeFS()
			var logs logBuf
			r := mustOpen(t, Options{Dir: dir, MemBytes: 4096, Logger: logs.logger(), fs: fsys})
			mustWrite(t, r, []byte("first"))
			mustFlush(t, r)
			before, err := os.ReadFile(seg)
			if err != nil {
				t.Fatal(err)
			}

			fsys.set(func(f *fakeFS) { f.budget = tt.budget })
			second, third := pattern(100, 2), pattern(50, 3)
			mustWrite(t, r, second)
			if err := r.Flush(); !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Flush on full disk = %v; want ENOSPC", err)
			}
			st := r.Stats()
			if st.Pending != 100 || st.Flushed != 5 || st.FlushErrors != 1 || !errors.Is(st.LastError, syscall.ENOSPC) {
				t.Errorf("Stats = %+v; want Pending 100, Flushed 5, FlushErrors 1, LastError ENOSPC", st)
			}
			after, _ := os.ReadFile(seg)
			same(t, "segment after failed flush", after, before)

			mustWrite(t, r, third)
			if err := r.Flush(); !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("second Flush = %v; want ENOSPC", err)
			}
			if got := logs.count("history flush failing"); got != 1 {
				t.Errorf("failure logged %d times in one streak; want 1", got)
			}
			same(t, "memory during failure", r.AppendTo(nil), append(append([]byte("first"), second...), third...))

			fsys.set(func(f *fakeFS) { f.budget = -1 })
			mustFlush(t, r)
			st = r.Stats()
			if st.Pending != 0 || st.Flushed != 155 || st.LastError != nil || st.Dropped != 0 {
				t.Errorf("Stats after recovery = %+v; want Pending 0, Flushed 155, no error, none dropped", st)
			}
			if got := logs.count("history flush recovered"); got != 1 {
				t.Errorf("recovery logged %d times; want 1", got)
			}
			after, _ = os.ReadFile(seg)
			if !bytes.HasPrefix(after, before) {
				t.Errorf("flushed bytes rewritten")
			}
			r.Close()
			same(t, "history", readAll(t, dir), append(append([]byte("first"), second...), third...))
			var reopenLogs logBuf
			mustOpen(t, Options{Dir: dir, Logger: reopenLogs.logger()})
			if got := reopenLogs.count("cut"); got != 0 {
				t.Errorf("reopen cut %d times; want a clean segment", got)
			}
		})
	}
}

func TestFlushKeepsWholeRecordsBeforeENOSPC(t *testing.T) {
	dir := t.TempDir()
	fsys := newFakeFS()
	r := mustOpen(t, Options{Dir: dir, MemBytes: 4 << 20, SegmentBytes: 8 << 20, fs: fsys})
	mustWrite(t, r, []byte("0123456789"))
	mustFlush(t, r)
	big := pattern(5<<19, 7) // 2.5 MiB: three records
	mustWrite(t, r, big)
	fsys.set(func(f *fakeFS) { f.budget = headerLen + maxRecord + 100 })
	if err := r.Flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Flush = %v; want ENOSPC", err)
	}
	if st := r.Stats(); st.Flushed != 10+maxRecord || st.Pending != int64(len(big)-maxRecord) {
		t.Errorf("Stats = %+v; want Flushed %d, Pending %d", st, 10+maxRecord, len(big)-maxRecord)
	}
	if got, want := fileSize(t, filepath.Join(dir, segName(1))), int64(2*headerLen+10+maxRecord); got != want {
		t.Errorf("segment size = %d; want %d (whole records only)", got, want)
	}
	fsys.set(func(f *fakeFS) { f.budget = -1 })
	mustFlush(t, r)
	r.Close()
	same(t, "history", readAll(t, dir), append([]byte("0123456789"), big...))
}

func TestFlushSyncError(t *testing.T) {
	dir := t.TempDir()
	fsys := newFakeFS()
	r := mustOpen(t, Options{Dir: dir, fs: fsys})
	mustWrite(t, r, []byte("a"))
	mustFlush(t, r)
	fsys.set(func(f *fakeFS) { f.syncErr = syscall.EIO })
	mustWrite(t, r, []byte("bcd"))
	if err := r.Flush(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Flush = %v; want EIO", err)
	}
	if got := fileSize(t, filepath.Join(dir, segName(1))); got != int64(len(rec("a"))) {
		t.Errorf("size after failed sync = %d; want %d (cut back to last synced record)", got, len(rec("a")))
	}
	if st := r.Stats(); st.Pending != 3 || st.Flushed != 1 {
		t.Errorf("Stats = %+v; want Pending 3, Flushed 1", st)
	}
	fsys.set(func(f *fakeFS) { f.syncErr = nil })
	mustFlush(t, r)
	r.Close()
	same(t, "history", readAll(t, dir), []byte("abcd"))
}

func TestFlushAbandonsSegmentWhenTruncateFails(t *testing.T) {
	dir := t.TempDir()
	fsys := newFakeFS()
	var logs logBuf
	r := mustOpen(t, Options{Dir: dir, Logger: logs.logger(), fs: fsys})
	mustWrite(t, r, []byte("a"))
	mustFlush(t, r)
	fsys.set(func(f *fakeFS) { f.budget, f.truncErr = 5, syscall.EIO })
	mustWrite(t, r, []byte("bcd"))
	if err := r.Flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Flush = %v; want ENOSPC", err)
	}
	if got := logs.count("abandoned"); got != 1 {
		t.Errorf("abandon logged %d times; want 1", got)
	}
	fsys.set(func(f *fakeFS) { f.budget, f.truncErr = -1, nil })
	mustWrite(t, r, []byte("e"))
	mustFlush(t, r)
	r.Close()
	if got := fileSize(t, filepath.Join(dir, segName(2))); got != int64(len(rec("bcde"))) {
		t.Errorf("segment 2 size = %d; want %d", got, len(rec("bcde")))
	}
	same(t, "NewReader over the torn segment", readAll(t, dir), []byte("abcde"))
	var reopen logBuf
	r2 := mustOpen(t, Options{Dir: dir, Logger: reopen.logger()})
	same(t, "AppendTo after reopen", r2.AppendTo(nil), []byte("abcde"))
	if got := reopen.count("cut at last good record"); got != 1 {
		t.Errorf("torn tail cut %d times on open; want 1", got)
	}
	if got := fileSize(t, filepath.Join(dir, segName(1))); got != int64(len(rec("a"))) {
		t.Errorf("segment 1 size = %d; want %d", got, len(rec("a")))
	}
}

func TestPendingBoundedWhileFailing(t *testing.T) {
	dir := t.TempDir()
	fsys := newFakeFS()
	r := mustOpen(t, Options{Dir: dir, MemBytes: 100, fs: fsys})
	mustWrite(t, r, []byte("x"))
	mustFlush(t, r)
	fsys.set(func(f *fakeFS) { f.budget = 0 })
	out := pattern(250, 4)
	for i := 0; i < len(out); i += 10 {
		mustWrite(t, r, out[i:i+10])
		r.Flush()
	}
	if st := r.Stats(); st.Pending != 100 || st.Dropped != 150 {
		t.Errorf("Stats = %+v; want Pending 100, Dropped 150", st)
	}
	same(t, "memory", r.AppendTo(nil), out[150:])
	fsys.set(func(f *fakeFS) { f.budget = -1 })
	mustFlush(t, r)
	if st := r.Stats(); st.Pending != 0 || st.Dropped != 150 || st.Flushed != 101 {
		t.Errorf("Stats = %+v; want Pending 0, Dropped 150, Flushed 101", st)
	}
	same(t, "history with a gap", readAll(t, dir), append([]byte("x"), out[150:]...))
}

func TestCloseOnFullDiskCountsDropped(t *testing.T) {
	fsys := newFakeFS()
	fsys.budget = 0
	r := mustOpen(t, Options{Dir: t.TempDir(), fs: fsys})
	mustWrite(t, r, []byte("lost"))
	if err := r.Close(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Close = %v; want ENOSPC", err)
	}
	if st := r.Stats(); st.Dropped != 4 || st.Pending != 0 {
		t.Errorf("Stats = %+v; want Dropped 4, Pending 0", st)
	}
}

func TestDirSyncedOnSegmentChanges(t *testing.T) {
	fsys := newFakeFS()
	r := mustOpen(t, Options{Dir: t.TempDir(), SegmentBytes: 64, DiskBytes: 128, fs: fsys})
	syncs := func() int {
		fsys.mu.Lock()
		defer fsys.mu.Unlock()
		return fsys.dirSyncs
	}
	prev := 0
	for i := range 4 {
		mustWrite(t, r, pattern(50, byte(i))) // one segment per flush
		mustFlush(t, r)
		if got := syncs(); got <= prev {
			t.Errorf("flush %d: dir fsyncs = %d; want more than %d", i, got, prev)
		}
		prev = syncs()
	}
}

func TestRunBacksOffAndLogsOncePerStreak(t *testing.T) {
	dir := t.TempDir()
	fsys := newFakeFS()
	var logs logBuf
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := mustOpen(t, Options{Dir: dir, FlushInterval: time.Millisecond, Logger: logs.logger(),
		Now: func() time.Time { return clock }, fs: fsys})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // ends when ctx is cancelled
		defer wg.Done()
		r.Run(ctx)
	}()
	defer func() { cancel(); wg.Wait() }()

	fsys.set(func(f *fakeFS) { f.budget = 0 })
	mustWrite(t, r, []byte("during outage "))
	waitFor(t, "four failed flushes", func() bool { return r.Stats().FlushErrors >= 4 })
	mustWrite(t, r, []byte("still accepted "))
	if got := logs.count("history flush failing"); got != 1 {
		t.Errorf("failure logged %d times; want 1", got)
	}
	fsys.set(func(f *fakeFS) { f.budget = -1 })
	waitFor(t, "recovery", func() bool { st := r.Stats(); return st.Pending == 0 && st.LastError == nil })
	if got := logs.count("history flush recovered"); got != 1 {
		t.Errorf("recovery logged %d times; want 1", got)
	}
	mustWrite(t, r, []byte("after"))
	waitFor(t, "flush after recovery", func() bool { return r.Stats().Pending == 0 })
	if got := r.Stats().LastFlush; !got.Equal(clock) {
		t.Errorf("LastFlush = %v; want injected clock %v", got, clock)
	}
	same(t, "history", readAll(t, dir), []byte("during outage still accepted after"))
}

func TestRunFlushesOnCancel(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, Options{Dir: dir, FlushInterval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { // ends when ctx is cancelled
		defer close(done)
		r.Run(ctx)
	}()
	mustWrite(t, r, []byte("detached"))
	cancel()
	<-done
	if st := r.Stats(); st.Pending != 0 {
		t.Errorf("Pending = %d after Run returned; want 0", st.Pending)
	}
	same(t, "history", readAll(t, dir), []byte("detached"))
}

func TestNextDelay(t *testing.T) {
	const base = time.Second
	tests := []struct {
		name   string
		cur    time.Duration
		base   time.Duration
		failed bool
		want   time.Duration
	}{
		{name: "success resets", cur: 16 * time.Second, base: base, want: base},
		{name: "first failure doubles", cur: base, base: base, failed: true, want: 2 * time.Second},
		{name: "keeps doubling", cur: 8 * time.Second, base: base, failed: true, want: 16 * time.Second},
		{name: "capped at 30s", cur: 16 * time.Second, base: base, failed: true, want: 30 * time.Second},
		{name: "stays capped", cur: 30 * time.Second, base: base, failed: true, want: 30 * time.Second},
		{name: "long interval is its own cap", cur: time.Minute, base: time.Minute, failed: true, want: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextDelay(tt.cur, tt.base, tt.failed); got != tt.want {
				t.Errorf("nextDelay(%v, %v, %v) = %v; want %v", tt.cur, tt.base, tt.failed, got, tt.want)
			}
		})
	}
}

// A burst of output larger than half the ring reaches the disk at once,
// without waiting for FlushInterval, so that a burst faster than the
// interval is not overwritten in the ring before it is flushed.
func TestBurstFlushesEarly(t *testing.T) {
	dir := t.TempDir()
	const mem = 64 << 10
	r := mustOpen(t, Options{Dir: dir, MemBytes: mem, FlushInterval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	chunk := bytes.Repeat([]byte("x"), 4096)
	total := 0
	for total < 4*mem {
		if _, err := r.Write(chunk); err != nil {
			t.Fatal(err)
		}
		total += len(chunk)
		// Give the flusher the chance a real PTY's pace gives it.
		deadline := time.Now().Add(5 * time.Second)
		for r.Stats().Pending >= mem/2+int64(len(chunk)) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.Stats().Flushed < int64(total)-mem/2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	st := r.Stats()
	if st.Dropped != 0 {
		t.Errorf("dropped %d bytes of a %d-byte burst with a %d-byte ring", st.Dropped, total, mem)
	}
	if st.Flushed < int64(total)-mem/2 {
		t.Errorf("flushed %d of %d bytes without waiting for the interval", st.Flushed, total)
	}
}

// An idle Run sleeps without a timer, and output that arrives after a long
// quiet spell still reaches the disk within about FlushInterval.
func TestRunWakesForOutputAfterIdling(t *testing.T) {
	dir := t.TempDir()
	const interval = 20 * time.Millisecond
	r := mustOpen(t, Options{Dir: dir, FlushInterval: interval})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { // ends when ctx is cancelled
		defer close(done)
		r.Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	for i, chunk := range []string{"first ", "second ", "third"} {
		mustWrite(t, r, []byte(chunk))
		start := time.Now()
		waitFor(t, "flush of "+chunk, func() bool { return r.Stats().Pending == 0 })
		if took := time.Since(start); took > 50*interval {
			t.Errorf("write %d reached the disk after %s; want about %s", i, took, interval)
		}
		time.Sleep(10 * interval) // idle: Run has nothing pending
	}
	same(t, "history", readAll(t, dir), []byte("first second third"))
}
