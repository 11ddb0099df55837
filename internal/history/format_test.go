package history

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// rec frames payload the way the format in doc.go says, independently of
// putHeader.
func rec(payload string) []byte {
	b := []byte{'w', 'h', 1}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum([]byte(payload), crc32.MakeTable(crc32.Castagnoli)))
	return append(b, payload...)
}

// refParse is a reference parser: the payloads of the longest valid record
// prefix of seg, and that prefix's length.
func refParse(seg []byte) (payloads []byte, good int) {
	tab := crc32.MakeTable(crc32.Castagnoli)
	for {
		rest := seg[good:]
		if len(rest) < 11 || rest[0] != 'w' || rest[1] != 'h' || rest[2] != 1 {
			return payloads, good
		}
		n := int(binary.LittleEndian.Uint32(rest[3:7]))
		if n == 0 || n > 1<<20 || len(rest) < 11+n {
			return payloads, good
		}
		p := rest[11 : 11+n]
		if crc32.Checksum(p, tab) != binary.LittleEndian.Uint32(rest[7:11]) {
			return payloads, good
		}
		payloads = append(payloads, p...)
		good += 11 + n
	}
}

func writeSeg(t testing.TB, dir string, seq uint64, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, segName(seq))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestRecordLayout(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, Options{Dir: dir})
	mustWrite(t, r, []byte("hello"))
	r.Close()
	got, err := os.ReadFile(filepath.Join(dir, "000000000001.seg"))
	if err != nil {
		t.Fatal(err)
	}
	// CRC-32C("hello") = 0x9a71bb4c
	want := []byte("wh\x01\x05\x00\x00\x00\x4c\xbb\x71\x9ahello")
	same(t, "segment bytes", got, want)
}

func TestTornTail(t *testing.T) {
	a, b, c := rec("first record"), rec("second"), rec("third, the torn one")
	good := append(append([]byte{}, a...), b...)
	full := append(append([]byte{}, good...), c...)
	type tc struct {
		name string
		seg  []byte
	}
	var tests []tc
	for cut := len(good) + 1; cut < len(full); cut++ {
		where := "payload"
		if cut-len(good) < headerLen {
			where = "header"
		}
		tests = append(tests, tc{name: "cut in " + where + " at " + itoa(cut-len(good)), seg: full[:cut]})
	}
	mutate := func(name string, i int, v byte) {
		s := append([]byte{}, full...)
		s[len(good)+i] = v
		tests = append(tests, tc{name: name, seg: s})
	}
	mutate("payload byte flipped", headerLen+3, full[len(good)+headerLen+3]^0x40)
	mutate("last payload byte flipped", len(c)-1, full[len(full)-1]^1)
	mutate("crc byte flipped", 8, full[len(good)+8]^0x80)
	mutate("bad magic", 0, 'W')
	mutate("unknown version", 2, 2)
	mutate("length zero", 3, 0) // low byte of a small length: becomes 0
	mutate("length shorter", 3, byte(len(c)-headerLen-1))
	mutate("length longer", 3, byte(len(c)-headerLen+1))
	mutate("length over 1 MiB", 6, 0x01)
	tests = append(tests, tc{name: "zeros after good records", seg: append(append([]byte{}, good...), make([]byte, 64)...)})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeSeg(t, dir, 1, tt.seg)
			wantHist := []byte("first recordsecond")

			// The reader stops at the bad record without touching the file.
			same(t, "NewReader before Open", readAll(t, dir), wantHist)
			if got := fileSize(t, path); got != int64(len(tt.seg)) {
				t.Fatalf("reader changed size to %d; want %d", got, len(tt.seg))
			}

			var logs logBuf
			r := mustOpen(t, Options{Dir: dir, Logger: logs.logger()})
			same(t, "AppendTo after Open", r.AppendTo(nil), wantHist)
			if got := fileSize(t, path); got != int64(len(good)) {
				t.Errorf("size after Open = %d; want %d", got, len(good))
			}
			if got := logs.count("cut at last good record"); got != 1 {
				t.Errorf("cut logged %d times; want 1", got)
			}
			same(t, "NewReader after Open", readAll(t, dir), wantHist)

			mustWrite(t, r, []byte("+new"))
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			same(t, "history after append", readAll(t, dir), []byte("first recordsecond+new"))
		})
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestCorruptMiddleSegment(t *testing.T) {
	dir := t.TempDir()
	writeSeg(t, dir, 1, append(rec("A"), rec("BBBB")[:7]...))
	writeSeg(t, dir, 2, rec("C"))
	same(t, "NewReader", readAll(t, dir), []byte("AC"))
	r := mustOpen(t, Options{Dir: dir})
	same(t, "AppendTo", r.AppendTo(nil), []byte("AC"))
	if got := fileSize(t, filepath.Join(dir, segName(1))); got != int64(len(rec("A"))) {
		t.Errorf("segment 1 size = %d; want %d", got, len(rec("A")))
	}
	mustWrite(t, r, []byte("D"))
	r.Close()
	same(t, "history", readAll(t, dir), []byte("ACD"))
}

func TestOpenReadErrorCutsNothing(t *testing.T) {
	dir := t.TempDir()
	path := writeSeg(t, dir, 1, append(rec("good"), "torn"...))
	fsys := newFakeFS()
	fsys.readErr = syscall.EIO
	_, err := Open(Options{Dir: dir, fs: fsys})
	if !errors.Is(err, syscall.EIO) {
		t.Fatalf("Open = %v; want EIO", err)
	}
	if got := fileSize(t, path); got != int64(len(rec("good"))+4) {
		t.Errorf("size = %d; want unchanged %d", got, len(rec("good"))+4)
	}
}

func fuzzSeeds(f *testing.F) {
	f.Add(rec("hello"), uint16(0))
	f.Add(append(rec("a"), rec("bc")...), uint16(12))
	f.Add(append(rec("a"), rec("bc")[:5]...), uint16(3))
	f.Add(append(rec("abc"), 'w', 'h', 1, 0xff, 0xff, 0xff, 0xff), uint16(14))
	f.Add([]byte("wh\x01\x00\x00\x00\x00\x00\x00\x00\x00"), uint16(1))
	f.Add([]byte{}, uint16(0))
}

// splitSegs writes data as two segments split at split.
func splitSegs(t *testing.T, data []byte, split uint16) (dir string, segs [2][]byte) {
	dir = t.TempDir()
	k := 0
	if len(data) > 0 {
		k = int(split) % (len(data) + 1)
	}
	segs = [2][]byte{data[:k], data[k:]}
	writeSeg(t, dir, 1, segs[0])
	writeSeg(t, dir, 2, segs[1])
	return dir, segs
}

func FuzzReader(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		dir, segs := splitSegs(t, data, split)
		p1, _ := refParse(segs[0])
		p2, _ := refParse(segs[1])
		same(t, "NewReader", readAll(t, dir), append(p1, p2...))
		if got := fileSize(t, filepath.Join(dir, segName(2))); got != int64(len(segs[1])) {
			t.Errorf("reader changed a segment")
		}
	})
}

func FuzzOpen(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		dir, segs := splitSegs(t, data, split)
		p1, g1 := refParse(segs[0])
		p2, g2 := refParse(segs[1])
		want := append(p1, p2...)
		const mem = 64
		r, err := Open(Options{Dir: dir, MemBytes: mem})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer r.Close()
		same(t, "AppendTo", r.AppendTo(nil), want[max(0, len(want)-mem):])
		if s1, s2 := fileSize(t, filepath.Join(dir, segName(1))), fileSize(t, filepath.Join(dir, segName(2))); s1 != int64(g1) || s2 != int64(g2) {
			t.Errorf("sizes after Open = %d, %d; want %d, %d", s1, s2, g1, g2)
		}
		same(t, "NewReader", readAll(t, dir), want)
	})
}
