package screen

import (
	"fmt"
	"strings"
	"testing"
)

func TestScrollback(t *testing.T) {
	tests := []struct {
		name  string
		rows  int // 2 when zero
		limit int
		in    string
		want  string // AppendScrollback(all)
	}{
		{name: "lines scrolled off the top", limit: 10, in: "a\r\nb\r\nc\r\nd", want: "a\x1b[0m\r\nb\x1b[0m\r\n"},
		{name: "styles kept", limit: 10, in: "\x1b[1;31mre\x1b[0mx\r\nb\r\nc\r\nd", want: "\x1b[1;31mre\x1b[0mx\x1b[0m\r\nb\x1b[0m\r\n"},
		{name: "bounded by lines", limit: 1, in: "a\r\nb\r\nc\r\nd", want: "b\x1b[0m\r\n"},
		{name: "disabled", limit: 0, in: "a\r\nb\r\nc\r\nd", want: ""},
		{name: "not from a partial region", rows: 3, limit: 10, in: "\x1b[1;2ra\r\nb\r\nc\r\nd", want: ""},
		{name: "partial region at the bottom", rows: 3, limit: 10, in: "top\x1b[2;3r\x1b[2;1Ha\r\nb\r\nc\r\nd", want: ""},
		{name: "not from the alternate screen", limit: 10, in: "\x1b[?1049ha\r\nb\r\nc\r\nd", want: ""},
		{name: "SU with full region", limit: 10, in: "a\r\nb\x1b[2S", want: "a\x1b[0m\r\nb\x1b[0m\r\n"},
		{name: "ED 2 keeps history", limit: 10, in: "a\r\nb\x1b[2J", want: "a\x1b[0m\r\nb\x1b[0m\r\n"},
		{name: "ED 3 clears", limit: 10, in: "a\r\nb\r\nc\r\nd\x1b[3J", want: ""},
		{name: "wide and combining", limit: 10, in: "日e\u0301\r\nb\r\nc", want: "日e\u0301\x1b[0m\r\n"},
		{name: "trailing erased with colour kept", limit: 10, in: "\x1b[44m\x1b[2K\x1b[0mx\r\nb\r\nc", want: "x\x1b[44m  \x1b[0m\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(3, max(tt.rows, 2), tt.limit)
			s.Write([]byte(tt.in))
			if got := string(s.AppendScrollback(nil, 1000)); got != tt.want {
				t.Errorf("scrollback: got %q; want %q", got, tt.want)
			}
			if got, want := s.ScrollbackLen(), strings.Count(tt.want, "\r\n"); got != want {
				t.Errorf("ScrollbackLen: got %d; want %d", got, want)
			}
		})
	}
}

func TestScrollbackLastN(t *testing.T) {
	s := New(10, 2, 100)
	for i := range 50 {
		fmt.Fprintf(s, "line %d\r\n", i)
	}
	if got, want := string(s.AppendScrollback(nil, 2)), "line 47\x1b[0m\r\nline 48\x1b[0m\r\n"; got != want {
		t.Errorf("last 2: got %q; want %q", got, want)
	}
	if got, want := s.ScrollbackLen(), 49; got != want {
		t.Errorf("ScrollbackLen: got %d; want %d", got, want)
	}
	if got := string(s.AppendScrollback([]byte("x"), -1)); got != "x" {
		t.Errorf("n=-1: got %q; want %q", got, "x")
	}
}

func TestScrollbackBoundedByBytes(t *testing.T) {
	s := New(1000, 1, 100000)
	line := "\x1b[38;2;1;2;3m" + strings.Repeat("\x1b[38;2;1;2;4mx\x1b[38;2;1;2;3my", 500) + "\r\n"
	for range 2000 {
		s.Write([]byte(line))
	}
	if s.sb.size > maxScrollbackSize {
		t.Errorf("scrollback size: got %d bytes; want at most %d", s.sb.size, maxScrollbackSize)
	}
	if s.ScrollbackLen() == 0 || s.ScrollbackLen() >= 2000 {
		t.Errorf("ScrollbackLen: got %d; want some lines evicted for size", s.ScrollbackLen())
	}
}

func TestResize(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		cols, rows int
		want       string
		x, y       int
		history    int
	}{
		{name: "wider keeps content", in: "abcde\r\nfg", cols: 8, rows: 3, want: "abcde\nfg", x: 2, y: 1},
		{name: "narrower truncates", in: "abcde\r\nfg", cols: 3, rows: 3, want: "abc\nfg", x: 2, y: 1},
		{name: "narrower cuts wide char", in: "ab日", cols: 3, rows: 3, want: "ab", x: 2},
		{name: "cursor clamps", in: "abcde", cols: 2, rows: 3, want: "ab", x: 1},
		{name: "shorter drops blank rows below cursor", in: "a\r\nb", cols: 5, rows: 2, want: "a\nb", x: 1, y: 1},
		{name: "shorter pushes top rows to history", in: "a\r\nb\r\nc", cols: 5, rows: 1, want: "c", x: 1, history: 2},
		{name: "taller pulls history back", in: "a\r\nb\r\nc\r\nd", cols: 5, rows: 4, want: "a\nb\nc\nd", x: 1, y: 3},
		{name: "taller pulls styled history back", in: "\x1b[31mx\x1b[0m\r\nb\r\nc\r\nd", cols: 5, rows: 5, want: "x\nb\nc\nd", x: 1, y: 3},
		{name: "taller without history adds blank rows", in: "a", cols: 5, rows: 5, want: "a", x: 1},
		{name: "clamped", in: "a", cols: 0, rows: 99999, want: "a", x: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(5, 3, 100)
			s.Write([]byte(tt.in))
			s.Resize(tt.cols, tt.rows)
			cols, rows := s.Size()
			if wc, wr := clamp(tt.cols, minCols, maxCols), clamp(tt.rows, minRows, maxRows); cols != wc || rows != wr {
				t.Errorf("size: got %dx%d; want %dx%d", cols, rows, wc, wr)
			}
			if len(s.Lines()) != rows {
				t.Errorf("Lines: got %d rows; want %d", len(s.Lines()), rows)
			}
			if got := screenText(s); got != tt.want {
				t.Errorf("screen: got %q; want %q", got, tt.want)
			}
			if x, y, _ := s.Cursor(); x != tt.x || y != tt.y {
				t.Errorf("cursor: got %d,%d; want %d,%d", x, y, tt.x, tt.y)
			}
			if got := s.ScrollbackLen(); got != tt.history {
				t.Errorf("ScrollbackLen: got %d; want %d", got, tt.history)
			}
		})
	}
}

func TestResizeStyledPullBack(t *testing.T) {
	s := New(5, 2, 10)
	s.Write([]byte("\x1b[31mx\u0301\x1b[0m\r\nb\r\nc"))
	s.Resize(5, 3)
	c := s.main.rows[0][0]
	if c.r != 'x' || c.style.fg != colorBasic|1 || s.combString(&c) != "\u0301" {
		t.Errorf("pulled back cell: got %s; want red x with U+0301", s.describeCell(c))
	}
}

func TestResizeResetsRegion(t *testing.T) {
	s := New(10, 5, 0)
	s.Write([]byte("\x1b[2;3r"))
	s.Resize(10, 6)
	if s.top != 0 || s.bottom != 5 {
		t.Errorf("region: got %d-%d; want 0-5", s.top, s.bottom)
	}
}

func TestNewClamps(t *testing.T) {
	tests := []struct {
		name                      string
		cols, rows, sb            int
		wantCols, wantRows, sbMax int
	}{
		{name: "zero", wantCols: 1, wantRows: 1},
		{name: "negative", cols: -5, rows: -5, sb: -5, wantCols: 1, wantRows: 1},
		{name: "huge", cols: 1 << 30, rows: 1 << 30, sb: 1 << 30, wantCols: 1000, wantRows: 500, sbMax: maxScrollback},
		{name: "normal", cols: 80, rows: 24, sb: 500, wantCols: 80, wantRows: 24, sbMax: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.cols, tt.rows, tt.sb)
			if c, r := s.Size(); c != tt.wantCols || r != tt.wantRows {
				t.Errorf("size: got %dx%d; want %dx%d", c, r, tt.wantCols, tt.wantRows)
			}
			if s.sb.max != tt.sbMax {
				t.Errorf("scrollback limit: got %d; want %d", s.sb.max, tt.sbMax)
			}
		})
	}
}

func TestResizePullBackManyMarks(t *testing.T) {
	s := New(5, 2, 1000)
	for range 600 {
		s.Write([]byte("e\u0301\r\n"))
	}
	s.Resize(5, 400) // pulls back 399 lines, compacting the arena on the way
	if err := checkInvariants(s); err != nil {
		t.Fatal(err)
	}
	for y, l := range s.Lines()[:399] {
		if l != "e\u0301" {
			t.Fatalf("row %d: got %q; want %q", y, l, "e\u0301")
		}
	}
}
