package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		chunks   []int
		memBytes int
		segBytes int64
	}{
		{name: "one small write", chunks: []int{5}, memBytes: 1024, segBytes: 4096},
		{name: "many writes one segment", chunks: []int{1, 2, 3, 100, 7}, memBytes: 1024, segBytes: 4096},
		{name: "larger than memory", chunks: []int{3000, 2000}, memBytes: 1024, segBytes: 4096},
		{name: "spans segments", chunks: []int{900, 900, 900}, memBytes: 4096, segBytes: 256},
		{name: "records split at 1 MiB", chunks: []int{2<<20 + 5}, memBytes: 3 << 20, segBytes: 8 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "h")
			o := Options{Dir: dir, MemBytes: tt.memBytes, SegmentBytes: tt.segBytes, DiskBytes: 64 << 20}
			r := mustOpen(t, o)
			var all []byte // what reaches the disk: a write larger than MemBytes keeps its tail
			for i, n := range tt.chunks {
				p := pattern(n, byte(i))
				all = append(all, p[max(0, n-tt.memBytes):]...)
				mustWrite(t, r, p)
				mustFlush(t, r)
			}
			if err := r.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			same(t, "NewReader", readAll(t, dir), all)

			r2 := mustOpen(t, o)
			want := all[max(0, len(all)-tt.memBytes):]
			same(t, "AppendTo after reopen", r2.AppendTo(nil), want)
			if got := r2.Len(); got != len(want) {
				t.Errorf("Len = %d; want %d", got, len(want))
			}
			if st := r2.Stats(); st.Written != 0 || st.Pending != 0 {
				t.Errorf("Stats after reopen = %+v; want Written 0, Pending 0", st)
			}
			more := []byte("after restart")
			mustWrite(t, r2, more)
			if err := r2.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			same(t, "NewReader after second session", readAll(t, dir), append(all, more...))

			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o700 {
				t.Errorf("dir mode = %v; want 0700", got)
			}
			segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
			for _, s := range segs {
				fi, err := os.Stat(s)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o600 {
					t.Errorf("%s mode = %v; want 0600", s, got)
				}
				if fi.Size() > tt.segBytes {
					t.Errorf("%s size = %d; want <= SegmentBytes %d", s, fi.Size(), tt.segBytes)
				}
			}
		})
	}
}

func TestRingWraps(t *testing.T) {
	const mem = 1000
	for _, chunk := range []int{1, 7, 999, 1000, 1001, 3 * mem} {
		t.Run(fmt.Sprintf("chunk %d", chunk), func(t *testing.T) {
			r := mustOpen(t, Options{Dir: t.TempDir(), MemBytes: mem})
			all := pattern(3*mem, 9)
			for i := 0; i < len(all); i += chunk {
				mustWrite(t, r, all[i:min(i+chunk, len(all))])
				if want := min(i+chunk, len(all), mem); r.Len() != want {
					t.Fatalf("Len = %d; want %d", r.Len(), want)
				}
			}
			prefix := []byte("keep:")
			got := r.AppendTo(prefix)
			same(t, "AppendTo", got, append([]byte("keep:"), all[len(all)-mem:]...))
			st := r.Stats()
			if st.Written != int64(len(all)) || st.Pending != mem || st.Dropped != int64(len(all)-mem) {
				t.Errorf("Stats = %+v; want Written %d, Pending %d, Dropped %d", st, len(all), mem, len(all)-mem)
			}
			mustFlush(t, r)
			same(t, "disk after overrun", readAll(t, r.opts.Dir), all[len(all)-mem:])
		})
	}
}

func TestWriteAfterClose(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, Options{Dir: dir, MemBytes: 64})
	mustWrite(t, r, []byte("before"))
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	mustWrite(t, r, []byte("after"))
	if got := r.Stats().Dropped; got != 5 {
		t.Errorf("Dropped = %d; want 5", got)
	}
	if err := r.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close = %v; want ErrClosed", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
	r.Run(context.Background()) // returns at once on a closed ring
	same(t, "disk", readAll(t, dir), []byte("before"))
}

func TestOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		o    Options
		ok   bool
	}{
		{name: "defaults", o: Options{Dir: dir}, ok: true},
		{name: "no dir", o: Options{}},
		{name: "negative mem", o: Options{Dir: dir, MemBytes: -1}},
		{name: "tiny segment", o: Options{Dir: dir, SegmentBytes: 12}},
		{name: "disk below segment", o: Options{Dir: dir, SegmentBytes: 1 << 20, DiskBytes: 1 << 10}},
		{name: "negative interval", o: Options{Dir: dir, FlushInterval: -1}},
		{name: "big segment raises disk default", o: Options{Dir: dir, SegmentBytes: 128 << 20}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.o)
			if tt.ok {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				r.Close()
				return
			}
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("Open = %v; want ErrInvalidOptions", err)
			}
		})
	}
}

func TestDiskCapDropsOldest(t *testing.T) {
	dir := t.TempDir()
	const seg, disk = 256, 1024
	r := mustOpen(t, Options{Dir: dir, MemBytes: 4096, SegmentBytes: seg, DiskBytes: disk})
	var all []byte
	for i := range 50 {
		p := pattern(100, byte(i))
		all = append(all, p...)
		mustWrite(t, r, p)
		mustFlush(t, r)
		used, err := DiskUsage(dir)
		if err != nil {
			t.Fatalf("DiskUsage: %v", err)
		}
		if used > disk {
			t.Fatalf("after flush %d DiskUsage = %d; want <= %d", i, used, disk)
		}
		if got := r.Stats().DiskBytes; got != used {
			t.Fatalf("Stats.DiskBytes = %d; want DiskUsage %d", got, used)
		}
	}
	segs, err := listSegments(osFS{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) < 2 || segs[0].seq == 1 {
		t.Fatalf("segments = %v; want the oldest dropped and several kept", segs)
	}
	for i := 1; i < len(segs); i++ {
		if segs[i].seq != segs[i-1].seq+1 {
			t.Errorf("segments = %v; want consecutive newest", segs)
		}
	}
	got := readAll(t, dir)
	if len(got) < disk/2 || !bytes.HasSuffix(all, got) {
		t.Errorf("disk holds %d bytes; want a suffix of the %d written, at least %d", len(got), len(all), disk/2)
	}

	// Reopening with a smaller cap trims at once.
	r.Close()
	r2 := mustOpen(t, Options{Dir: dir, MemBytes: 4096, SegmentBytes: seg, DiskBytes: seg})
	if used, _ := DiskUsage(dir); used > seg || r2.Stats().DiskBytes != used {
		t.Errorf("after reopen with cap %d: DiskUsage = %d, Stats.DiskBytes = %d", seg, used, r2.Stats().DiskBytes)
	}
}

func TestReopenAppendsToLastSegment(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir}
	for i := range 3 {
		r := mustOpen(t, o)
		mustWrite(t, r, []byte{'a' + byte(i)})
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) != 1 || filepath.Base(segs[0]) != "000000000001.seg" {
		t.Errorf("segments = %q; want [000000000001.seg]", segs)
	}
	same(t, "history", readAll(t, dir), []byte("abc"))
}

func TestEmptyFlushCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, Options{Dir: dir})
	mustFlush(t, r)
	r.Close()
	if segs, _ := filepath.Glob(filepath.Join(dir, "*")); len(segs) != 0 {
		t.Errorf("files = %q; want none", segs)
	}
}

func TestMissingAndRemovedDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "alice", "ws")
	if got := readAll(t, dir); len(got) != 0 {
		t.Errorf("NewReader on missing dir = %q; want empty", got)
	}
	if n, err := DiskUsage(dir); n != 0 || err != nil {
		t.Errorf("DiskUsage on missing dir = %d, %v; want 0, nil", n, err)
	}
	r := mustOpen(t, Options{Dir: dir})
	mustWrite(t, r, []byte("secret output"))
	r.Close()
	if n, err := DiskUsage(dir); n != headerLen+13 || err != nil {
		t.Errorf("DiskUsage = %d, %v; want %d, nil", n, err, headerLen+13)
	}
	if err := Remove(dir); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stat after Remove = %v; want not exist", err)
	}
	if err := Remove(dir); err != nil {
		t.Errorf("Remove of missing dir = %v; want nil", err)
	}
}

func TestIgnoresForeignFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"notes.txt", "42.seg", "00000000000x.seg", "000000000000.seg"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := mustOpen(t, Options{Dir: dir})
	mustWrite(t, r, []byte("ok"))
	r.Close()
	same(t, "history", readAll(t, dir), []byte("ok"))
	if b, _ := os.ReadFile(filepath.Join(dir, "42.seg")); string(b) != "junk" {
		t.Errorf("foreign file changed to %q", b)
	}
}

// TestConcurrent runs Write, Flush, Run, AppendTo, Stats and NewReader at
// once (meaningful under -race) and checks nothing was lost or reordered.
func TestConcurrent(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, Options{Dir: dir, MemBytes: 1 << 20, SegmentBytes: 8 << 10, DiskBytes: 64 << 20, FlushInterval: 1})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // ends when ctx is cancelled, after a final flush
		defer wg.Done()
		r.Run(ctx)
	}()
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // ends when stop closes
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := r.Flush(); err != nil {
				t.Errorf("Flush: %v", err)
				return
			}
			_ = r.AppendTo(nil)
			_ = r.Stats()
			rd, err := NewReader(dir)
			if err != nil {
				t.Errorf("NewReader: %v", err)
				return
			}
			rd.Close()
		}
	}()
	var all []byte
	for i := range 3000 {
		line := fmt.Appendf(nil, "line %d\n", i)
		all = append(all, line...)
		mustWrite(t, r, line)
	}
	close(stop)
	cancel()
	wg.Wait()
	if st := r.Stats(); st.Pending != 0 || st.Dropped != 0 || st.Flushed != int64(len(all)) {
		t.Errorf("Stats = %+v; want Pending 0, Dropped 0, Flushed %d", st, len(all))
	}
	same(t, "history", readAll(t, dir), all)
}

func TestWriteDoesNotAllocate(t *testing.T) {
	r := mustOpen(t, Options{Dir: t.TempDir(), MemBytes: 64 << 10})
	p := pattern(4<<10, 5)
	mustWrite(t, r, p) // warm up
	if got := testing.AllocsPerRun(100, func() { r.Write(p) }); got != 0 {
		t.Errorf("Write allocates %v times per call; want 0", got)
	}
	if got := testing.AllocsPerRun(20, func() { r.Write(p); r.Flush() }); got != 0 {
		t.Errorf("Write+Flush allocates %v times per call; want 0", got)
	}
}

// An idle ring holds little memory: storage grows with output, wraps only
// once the stream has passed MemBytes, and keeps the newest bytes in order
// through every growth step.
func TestRingGrowsWithOutput(t *testing.T) {
	const mem = 256 << 10
	r, err := Open(Options{Dir: t.TempDir(), MemBytes: mem, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := cap(r.buf); got != 0 {
		t.Fatalf("a new ring holds %d bytes of storage; want none", got)
	}
	if _, err := r.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if got := cap(r.buf); got > minGrow {
		t.Errorf("after 5 bytes the ring holds %d bytes of storage; want at most %d", got, minGrow)
	}
	var want []byte
	lastCap := cap(r.buf)
	for i := 0; len(want) < 3*mem; i++ {
		line := []byte(fmt.Sprintf("line %d of the growing stream\n", i))
		want = append(want, line...)
		if _, err := r.Write(line); err != nil {
			t.Fatal(err)
		}
		// Check at every growth step, and now and then between them.
		if c := cap(r.buf); c != lastCap || i%997 == 0 {
			lastCap = c
			if got := r.AppendTo(nil); !bytes.Equal(got, tail(append([]byte("hello"), want...), mem)) {
				t.Fatalf("after %d bytes the ring holds %d bytes that are not the newest ones", len(want), len(got))
			}
		}
	}
	if got := cap(r.buf); got != mem {
		t.Errorf("after wrapping the ring holds %d bytes of storage; want %d", got, mem)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
