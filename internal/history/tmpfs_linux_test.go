package history

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRealENOSPC fills a real 64 KiB tmpfs. It needs root (to mount) and
// runs in CI, which runs as root.
func TestRealENOSPC(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=64k"); err != nil {
		t.Fatalf("mount a 64 KiB tmpfs on %s (root without CAP_SYS_ADMIN?): %v", mnt, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, 24<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(mnt, "alice", "ws")
	var logs logBuf
	r := mustOpen(t, Options{Dir: dir, MemBytes: 128 << 10, SegmentBytes: 16 << 10, DiskBytes: 1 << 20, Logger: logs.logger()})

	var all []byte
	var ferr error
	for i := 0; i < 64 && ferr == nil; i++ {
		p := pattern(3<<10, byte(i))
		all = append(all, p...)
		mustWrite(t, r, p)
		ferr = r.Flush()
	}
	if !errors.Is(ferr, syscall.ENOSPC) {
		t.Fatalf("Flush while filling 64 KiB = %v; want ENOSPC", ferr)
	}
	st := r.Stats()
	if st.Pending == 0 || st.Flushed+st.Pending != int64(len(all)) || st.Dropped != 0 {
		t.Fatalf("Stats on full disk = %+v; want Pending > 0, Flushed+Pending = %d", st, len(all))
	}
	onDisk := readAll(t, dir)
	same(t, "disk on full fs", onDisk, all[:st.Flushed])
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	for _, s := range segs {
		b, _ := os.ReadFile(s)
		if _, good := refParse(b); good != len(b) {
			t.Errorf("%s: %d bytes but only %d in whole records after ENOSPC", s, len(b), good)
		}
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	mustFlush(t, r)
	if st := r.Stats(); st.Pending != 0 || st.LastError != nil {
		t.Errorf("Stats after space returned = %+v; want Pending 0, no error", st)
	}
	if got := readAll(t, dir); !bytes.Equal(got, all) {
		t.Errorf("history after recovery: got %d bytes; want the %d written", len(got), len(all))
	}
	if logs.count("history flush failing") != 1 || logs.count("history flush recovered") != 1 {
		t.Errorf("logs = %q; want one failure and one recovery", logs.buf.String())
	}
}
