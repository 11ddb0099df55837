package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPercentile(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		p    float64
		want float64
	}{
		{"empty", nil, 50, math.NaN()},
		{"one", []float64{7}, 99, 7},
		{"median of odd", []float64{3, 1, 2}, 50, 2},
		{"median of even is the lower", []float64{4, 1, 3, 2}, 50, 2},
		{"p90 of ten", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 90, 9},
		{"p99 of ten is the max", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 99, 10},
		{"p100", []float64{1, 5, 2}, 100, 5},
		{"tiny p is the min", []float64{5, 1, 2}, 0.1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := percentile(tt.xs, tt.p)
			if got != tt.want && !(math.IsNaN(got) && math.IsNaN(tt.want)) {
				t.Errorf("percentile(%v, %v) = %v; want %v", tt.xs, tt.p, got, tt.want)
			}
		})
	}
	xs := []float64{3, 1, 2}
	percentile(xs, 50)
	if xs[0] != 3 || xs[1] != 1 {
		t.Errorf("percentile sorted its input: %v", xs)
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		name string
		r    row
		want string
	}{
		{"no target", row{warren: 1, tmux: 2}, ""},
		{"ratio at most, met", row{warren: 1, tmux: 2, target: target{maxRatio: 1}}, "pass"},
		{"ratio at most, equal", row{warren: 2, tmux: 2, target: target{maxRatio: 1}}, "pass"},
		{"ratio at most, missed", row{warren: 3, tmux: 2, target: target{maxRatio: 1}}, "FAIL"},
		{"ratio at least, met", row{warren: 3, tmux: 2, target: target{minRatio: 1}}, "pass"},
		{"ratio at least, missed", row{warren: 1, tmux: 2, target: target{minRatio: 1}}, "FAIL"},
		{"absolute, met", row{warren: 0.5, tmux: nan(), target: target{maxAbs: 1}}, "pass"},
		{"absolute, missed", row{warren: 2, tmux: nan(), target: target{maxAbs: 1}}, "FAIL"},
		{"both, absolute missed", row{warren: 60, tmux: 100, target: target{maxRatio: 1, maxAbs: 50}}, "FAIL"},
		{"both, ratio missed", row{warren: 40, tmux: 30, target: target{maxRatio: 1, maxAbs: 50}}, "FAIL"},
		{"both met", row{warren: 20, tmux: 30, target: target{maxRatio: 1, maxAbs: 50}}, "pass"},
		{"warren missing", row{warren: nan(), tmux: 2, target: target{maxRatio: 1}}, "n/a"},
		{"tmux missing", row{warren: 1, tmux: nan(), target: target{maxRatio: 1}}, "n/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.verdict(); got != tt.want {
				t.Errorf("verdict() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		name string
		v    float64
		want string
	}{
		{"missing", math.NaN(), "-"},
		{"zero", 0, "0"},
		{"large", 1234.56, "1235"},
		{"tens", 13.14, "13.1"},
		{"ones", 1.234, "1.23"},
		{"fraction", 0.31415, "0.314"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatValue(tt.v); got != tt.want {
				t.Errorf("formatValue(%v) = %q; want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestWriteTable(t *testing.T) {
	rows := []row{
		{metric: "echo p50", unit: "ms", warren: 0.3, tmux: 0.4, plain: 0.2, target: target{maxRatio: 1}},
		{metric: "history lost", unit: "s", warren: 0.5, tmux: nan(), plain: nan(), target: target{maxAbs: 1}},
	}
	var buf bytes.Buffer
	if err := writeTable(&buf, rows); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"metric        unit  warren  sshd+tmux  sshd   warren/tmux  target  result  \n" +
		"echo p50      ms    0.300   0.400      0.200  0.75×        ≤1.0×   pass    \n" +
		"history lost  s     0.500   -          -      -            ≤1      pass    \n"
	if got := buf.String(); got != want {
		t.Errorf("writeTable =\n%s\nwant\n%s", got, want)
	}
}

func TestWriteJSONMissingIsNull(t *testing.T) {
	var buf bytes.Buffer
	rows := []row{{metric: "m", unit: "s", warren: 1, tmux: nan(), plain: nan(), target: target{maxAbs: 2}}}
	if err := writeJSON(&buf, options{Quick: true}, rows); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
	}
	r := got.Rows[0]
	if r["sshd_tmux"] != nil || r["ratio"] != nil || r["warren"] != 1.0 || r["result"] != "pass" {
		t.Errorf("row = %v; want warren 1, sshd_tmux and ratio null, result pass", r)
	}
}

// record frames payload as warren's history does.
func record(payload string) []byte {
	hdr := make([]byte, recHeaderLen)
	hdr[0], hdr[1], hdr[2] = 'w', 'h', recVersion
	binary.LittleEndian.PutUint32(hdr[3:7], uint32(len(payload)))
	binary.LittleEndian.PutUint32(hdr[7:11], crc32.Checksum([]byte(payload), castagnoli))
	return append(hdr, payload...)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestSegmentPayload(t *testing.T) {
	badCRC := record("zzzz")
	badCRC[7] ^= 0xff
	badVersion := record("zzzz")
	badVersion[2] = 9
	tests := []struct {
		name string
		seg  []byte
		want int64
	}{
		{"empty", nil, 0},
		{"one record", record("hello"), 5},
		{"two records", cat(record("hello"), record("world!")), 11},
		{"torn header", cat(record("hello"), record("world")[:5]), 5},
		{"torn payload", cat(record("hello"), record("world")[:13]), 5},
		{"bad checksum stops", cat(record("hello"), badCRC, record("after")), 5},
		{"bad version stops", cat(record("hello"), badVersion), 5},
		{"bad magic stops", cat(record("hello"), []byte("xx"), record("after")), 5},
		{"zero length stops", cat(record("hello"), record("")), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := segmentPayload(bytes.NewReader(tt.seg))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("segmentPayload = %d; want %d", got, tt.want)
			}
		})
	}
}

func TestHistoryPayloadSumsSegments(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"000000000001.seg": cat(record("abc"), record("de")),
		"000000000002.seg": cat(record("fghij"), []byte("wh")), // torn tail
		"notes.txt":        record("ignored"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := historyPayload(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got != 10 {
		t.Errorf("historyPayload = %d; want 10", got)
	}
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr bool
	}{
		{"present", "Name:\twarren\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nThreads:\t7\n", 12345, false},
		{"missing", "Name:\twarren\n", 0, true},
		{"odd unit", "VmRSS:\t12 MB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS(tt.status)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseVmRSS = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// shown returns the bytes of s that a stripper reports as text.
func shown(s string) string {
	var st stripper
	var out strings.Builder
	for i := range len(s) {
		if st.text(s[i]) {
			out.WriteByte(s[i])
		}
	}
	return out.String()
}

func TestStripper(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "abc", "abc"},
		{"controls are not text", "a\r\nb\x07", "ab"},
		{"csi", "\x1b[?25lx\x1b[1;31my\x1b[m", "xy"},
		{"osc ended by bel", "\x1b]0;title h\x07z", "z"},
		{"osc ended by st", "\x1b]2;title\x1b\\z", "z"},
		{"charset designation", "\x1b(Bq", "q"},
		{"two-byte escape", "\x1b7k\x1b8", "k"},
		{"dcs", "\x1bPtmux;data\x1b\\w", "w"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shown(tt.in); got != tt.want {
				t.Errorf("shown(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTickLines(t *testing.T) {
	if n := len(tickLine(12345678, 123456789012)); n != tickLineLen {
		t.Fatalf("len(tickLine) = %d; want %d", n, tickLineLen)
	}
	out := "\x1b[H" + readyLine + tickLine(0, 5) + tickLine(1, 10005) + tickLine(2, 20010)
	seen := parseTicks([]byte(out))
	if len(seen) != 3 || seen[2] != 20010 {
		t.Fatalf("parseTicks = %v; want 3 ticks ending at 20010", seen)
	}
	tests := []struct {
		name  string
		lines int
		want  float64
	}{
		{"all on disk", 3, 0},
		{"more on disk than seen", 4, 0},
		{"last missing", 2, 0.010005},
		{"none on disk", 0, 0.02001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lostSeconds(seen, tt.lines); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("lostSeconds(%d lines) = %v; want %v", tt.lines, got, tt.want)
			}
		})
	}
	payload := int64(len(readyLine) + 2*tickLineLen + 7) // a torn third line
	if got := tickLinesOnDisk(payload); got != 2 {
		t.Errorf("tickLinesOnDisk(%d) = %d; want 2", payload, got)
	}
}
