package screen

import (
	"strings"
	"testing"
)

// screenText is Lines joined with "\n", trailing empty rows dropped.
func screenText(s *Screen) string {
	return strings.TrimRight(strings.Join(s.Lines(), "\n"), "\n")
}

func TestWriteText(t *testing.T) {
	tests := []struct {
		name       string
		cols, rows int
		in         string
		want       string
		x, y       int
	}{
		{name: "plain", cols: 10, rows: 3, in: "hello", want: "hello", x: 5},
		{name: "crlf", cols: 10, rows: 3, in: "ab\r\ncd", want: "ab\ncd", x: 2, y: 1},
		{name: "lf keeps column", cols: 10, rows: 3, in: "ab\ncd", want: "ab\n  cd", x: 4, y: 1},
		{name: "newline mode", cols: 10, rows: 3, in: "\x1b[20hab\ncd", want: "ab\ncd", x: 2, y: 1},
		{name: "wrap", cols: 5, rows: 3, in: "abcdefg", want: "abcde\nfg", x: 2, y: 1},
		{name: "pending wrap holds at last column", cols: 5, rows: 3, in: "abcde", want: "abcde", x: 4},
		{name: "pending wrap then CR", cols: 5, rows: 3, in: "abcde\rX", want: "Xbcde", x: 1},
		{name: "pending wrap then BS", cols: 5, rows: 3, in: "abcde\bX", want: "abcdX", x: 4},
		{name: "no autowrap overwrites last column", cols: 5, rows: 3, in: "\x1b[?7labcdefg", want: "abcdg", x: 4},
		{name: "no autowrap one at a time", cols: 5, rows: 3, in: "\x1b[?7labcde\x1b[1mf\x1b[mg", want: "abcdg", x: 4},
		{name: "no autowrap combining in last column", cols: 3, rows: 3, in: "\x1b[?7labc\u0301", want: "abc\u0301", x: 2},
		{name: "no autowrap wide in last column", cols: 3, rows: 3, in: "\x1b[?7lab日", want: "ab", x: 2},
		{name: "scrolls at bottom", cols: 5, rows: 2, in: "a\r\nb\r\nc", want: "b\nc", x: 1, y: 1},
		{name: "backspace", cols: 10, rows: 2, in: "abc\b\bX", want: "aXc", x: 2},
		{name: "backspace at margin", cols: 10, rows: 2, in: "\b\bX", want: "X", x: 1},
		{name: "tab", cols: 20, rows: 2, in: "a\tb\tc", want: "a       b       c", x: 17},
		{name: "tab stops at margin", cols: 10, rows: 2, in: "\t\t\tX", want: "         X", x: 9},
		{name: "set and clear tab stops", cols: 20, rows: 2, in: "\x1b[3g\x1b[4G\x1bH\r\tA\tB", want: "   A               B", x: 19},
		{name: "clear one tab stop", cols: 20, rows: 2, in: "\x1b[9G\x1b[g\r\tX", want: "                X", x: 17},
		{name: "CHT and CBT", cols: 40, rows: 2, in: "\x1b[2IA\x1b[3ZB", want: "B               A", x: 1},
		{name: "utf8", cols: 10, rows: 2, in: "héllo €", want: "héllo €", x: 7},
		{name: "invalid utf8", cols: 10, rows: 2, in: "a\xffb\xc3", want: "a\ufffdb", x: 3},
		{name: "invalid utf8 then ascii", cols: 10, rows: 2, in: "a\xe2\x82x", want: "a\ufffd\ufffdx", x: 4},
		{name: "wide", cols: 10, rows: 2, in: "日本", want: "日本", x: 4},
		{name: "wide wraps at last column", cols: 5, rows: 2, in: "abcd日", want: "abcd\n日", x: 2, y: 1},
		{name: "wide dropped without autowrap", cols: 5, rows: 2, in: "\x1b[?7labcd日", want: "abcd", x: 4},
		{name: "combining", cols: 10, rows: 2, in: "e\u0301a\u0308\u0323", want: "e\u0301a\u0308\u0323", x: 2},
		{name: "combining on wide", cols: 10, rows: 2, in: "日\u0301x", want: "日\u0301x", x: 3},
		{name: "combining at pending wrap", cols: 3, rows: 2, in: "abc\u0301", want: "abc\u0301", x: 2},
		{name: "combining at origin ignored", cols: 3, rows: 2, in: "\u0301a", want: "a", x: 1},
		{name: "emoji", cols: 10, rows: 2, in: "😀!", want: "😀!", x: 3},
		{name: "zwj sequence", cols: 10, rows: 2, in: "👩\u200d💻", want: "👩\u200d💻", x: 4},
		{name: "overwrite right half of wide", cols: 10, rows: 2, in: "日本\x1b[1;2Hx", want: " x本", x: 2},
		{name: "overwrite left half of wide", cols: 10, rows: 2, in: "日本\x1b[1;3Hx", want: "日x", x: 3},
		{name: "wide over wide offset", cols: 10, rows: 2, in: "日本\x1b[1;2H語", want: " 語", x: 3},
		{name: "dec graphics", cols: 10, rows: 2, in: "\x1b(0lqk\x1b(Bq", want: "┌─┐q", x: 4},
		{name: "shift out to G1 graphics", cols: 10, rows: 2, in: "\x1b)0a\x0eq\x0fq", want: "a─q", x: 3},
		{name: "insert mode", cols: 10, rows: 2, in: "abc\x1b[1;2H\x1b[4hXY\x1b[4l", want: "aXYbc", x: 3},
		{name: "insert mode pushes off the edge", cols: 5, rows: 2, in: "abcde\x1b[1;1H\x1b[4hXY", want: "XYabc", x: 2},
		{name: "REP", cols: 10, rows: 2, in: "ab\x1b[3b", want: "abbbb", x: 5},
		{name: "REP wide", cols: 10, rows: 2, in: "日\x1b[2b", want: "日日日", x: 6},
		{name: "REP huge is bounded", cols: 4, rows: 2, in: "a\x1b[65535b", want: "aaaa\na", x: 1, y: 1},
		{name: "DECALN", cols: 3, rows: 2, in: "\x1b[2;2Hx\x1b#8", want: "EEE\nEEE"},
		{name: "control chars ignored", cols: 10, rows: 2, in: "a\x00\x07\x05b\x7f", want: "ab", x: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.cols, tt.rows, 10)
			s.Write([]byte(tt.in))
			if got := screenText(s); got != tt.want {
				t.Errorf("screen: got %q; want %q", got, tt.want)
			}
			if x, y, _ := s.Cursor(); x != tt.x || y != tt.y {
				t.Errorf("cursor: got %d,%d; want %d,%d", x, y, tt.x, tt.y)
			}
		})
	}
}

func TestCursorMovement(t *testing.T) {
	tests := []struct {
		name string
		in   string
		x, y int
	}{
		{name: "CUP", in: "\x1b[3;4H", x: 3, y: 2},
		{name: "CUP defaults", in: "\x1b[5;5H\x1b[H", x: 0, y: 0},
		{name: "CUP zero is one", in: "\x1b[0;0H", x: 0, y: 0},
		{name: "CUP clamps", in: "\x1b[99;99H", x: 9, y: 4},
		{name: "CUP huge", in: "\x1b[99999999;99999999H", x: 9, y: 4},
		{name: "HVP", in: "\x1b[2;3f", x: 2, y: 1},
		{name: "CUU", in: "\x1b[4;4H\x1b[2A", x: 3, y: 1},
		{name: "CUU stops at top", in: "\x1b[2;4H\x1b[9A", x: 3, y: 0},
		{name: "CUD", in: "\x1b[2B", x: 0, y: 2},
		{name: "CUD stops at bottom", in: "\x1b[20B", x: 0, y: 4},
		{name: "CUF", in: "\x1b[3C", x: 3, y: 0},
		{name: "CUF stops at margin", in: "\x1b[30C", x: 9, y: 0},
		{name: "CUB", in: "\x1b[1;6H\x1b[2D", x: 3, y: 0},
		{name: "CNL", in: "\x1b[1;6H\x1b[2E", x: 0, y: 2},
		{name: "CPL", in: "\x1b[4;6H\x1b[2F", x: 0, y: 1},
		{name: "CHA", in: "\x1b[3;6H\x1b[2G", x: 1, y: 2},
		{name: "HPA", in: "\x1b[3;6H\x1b[4`", x: 3, y: 2},
		{name: "HPR", in: "\x1b[3;6H\x1b[2a", x: 7, y: 2},
		{name: "VPA", in: "\x1b[3;6H\x1b[5d", x: 5, y: 4},
		{name: "VPR", in: "\x1b[1;6H\x1b[2e", x: 5, y: 2},
		{name: "CUU stops at the region top", in: "\x1b[2;4r\x1b[3;1H\x1b[9A", x: 0, y: 1},
		{name: "CUD stops at the region bottom", in: "\x1b[2;4r\x1b[3;1H\x1b[9B", x: 0, y: 3},
		{name: "CUD below the region goes to the bottom", in: "\x1b[1;2r\x1b[4;1H\x1b[9B", x: 0, y: 4},
		{name: "origin mode", in: "\x1b[2;4r\x1b[?6h\x1b[1;1H", x: 0, y: 1},
		{name: "origin mode clamps to region", in: "\x1b[2;4r\x1b[?6h\x1b[9;1H", x: 0, y: 3},
		{name: "DECSC DECRC", in: "\x1b[2;3H\x1b7\x1b[5;5H\x1b8", x: 2, y: 1},
		{name: "SCOSC SCORC", in: "\x1b[2;3H\x1b[s\x1b[5;5H\x1b[u", x: 2, y: 1},
		{name: "DECRC without save homes", in: "\x1b[3;3H\x1b8", x: 0, y: 0},
		{name: "RI at top stays", in: "\x1bM", x: 0, y: 0},
		{name: "NEL", in: "\x1b[1;5H\x1bE", x: 0, y: 1},
		{name: "IND keeps column", in: "\x1b[1;5H\x1bD", x: 4, y: 1},
		{name: "DECSTBM homes", in: "\x1b[3;3H\x1b[2;4r", x: 0, y: 0},
		{name: "DSR position not answered without reply func", in: "\x1b[2;2H\x1b[6n", x: 1, y: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(10, 5, 10)
			s.Write([]byte(tt.in))
			if x, y, _ := s.Cursor(); x != tt.x || y != tt.y {
				t.Errorf("cursor: got %d,%d; want %d,%d", x, y, tt.x, tt.y)
			}
		})
	}
}

// grid5 fills a 5x5 screen with rows "abcde", "fghij", ...
const grid5 = "abcde\r\nfghij\r\nklmno\r\npqrst\r\nuvwxy"

func TestEditing(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "EL 0", in: "\x1b[2;3H\x1b[K", want: "abcde\nfg\nklmno\npqrst\nuvwxy"},
		{name: "EL 1", in: "\x1b[2;3H\x1b[1K", want: "abcde\n   ij\nklmno\npqrst\nuvwxy"},
		{name: "EL 2", in: "\x1b[2;3H\x1b[2K", want: "abcde\n\nklmno\npqrst\nuvwxy"},
		{name: "ED 0", in: "\x1b[2;3H\x1b[J", want: "abcde\nfg"},
		{name: "ED 1", in: "\x1b[2;3H\x1b[1J", want: "\n   ij\nklmno\npqrst\nuvwxy"},
		{name: "ED 2", in: "\x1b[2J", want: ""},
		{name: "DECSED", in: "\x1b[2;3H\x1b[?J", want: "abcde\nfg"},
		{name: "ECH", in: "\x1b[2;2H\x1b[2X", want: "abcde\nf  ij\nklmno\npqrst\nuvwxy"},
		{name: "ECH past the edge", in: "\x1b[2;4H\x1b[99X", want: "abcde\nfgh\nklmno\npqrst\nuvwxy"},
		{name: "ICH", in: "\x1b[2;2H\x1b[2@", want: "abcde\nf  gh\nklmno\npqrst\nuvwxy"},
		{name: "DCH", in: "\x1b[2;2H\x1b[2P", want: "abcde\nfij\nklmno\npqrst\nuvwxy"},
		{name: "DCH huge", in: "\x1b[2;2H\x1b[65535P", want: "abcde\nf\nklmno\npqrst\nuvwxy"},
		{name: "IL", in: "\x1b[2;3H\x1b[2L", want: "abcde\n\n\nfghij\nklmno"},
		{name: "DL", in: "\x1b[2;3H\x1b[2M", want: "abcde\npqrst\nuvwxy"},
		{name: "IL in region", in: "\x1b[2;4r\x1b[3;1H\x1b[L", want: "abcde\nfghij\n\nklmno\nuvwxy"},
		{name: "DL in region", in: "\x1b[2;4r\x1b[2;1H\x1b[M", want: "abcde\nklmno\npqrst\n\nuvwxy"},
		{name: "IL outside region ignored", in: "\x1b[2;3r\x1b[5;1H\x1b[L", want: grid5Text},
		{name: "SU", in: "\x1b[2S", want: "klmno\npqrst\nuvwxy"},
		{name: "SD", in: "\x1b[2T", want: "\n\nabcde\nfghij\nklmno"},
		{name: "SD with five parameters is mouse tracking", in: "\x1b[2;1;1;1;1T", want: grid5Text},
		{name: "SU in region", in: "\x1b[2;4r\x1b[S", want: "abcde\nklmno\npqrst\n\nuvwxy"},
		{name: "LF scrolls region", in: "\x1b[2;3r\x1b[3;1H\nX", want: "abcde\nklmno\nX\npqrst\nuvwxy"},
		{name: "RI scrolls region", in: "\x1b[2;3r\x1b[2;1H\x1bMX", want: "abcde\nX\nfghij\npqrst\nuvwxy"},
		{name: "LF below region does not scroll", in: "\x1b[1;2r\x1b[5;1H\nX", want: "abcde\nfghij\nklmno\npqrst\nXvwxy"},
		{name: "ICH on wide", in: "\x1b[1;1H日本\x1b[1;2H\x1b[@", want: "   本\nfghij\nklmno\npqrst\nuvwxy"},
		{name: "DCH on wide", in: "\x1b[1;1H日本\x1b[1;1H\x1b[P", want: " 本e\nfghij\nklmno\npqrst\nuvwxy"},
		{name: "EL through wide", in: "\x1b[1;1H日本\x1b[1;4H\x1b[1K", want: "    e\nfghij\nklmno\npqrst\nuvwxy"},
		{name: "ED 3 keeps the screen", in: "\x1b[3J", want: grid5Text},
		{name: "RIS", in: "\x1b[?1049h\x1bc", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(5, 5, 10)
			s.Write([]byte(grid5 + tt.in))
			if got := screenText(s); got != tt.want {
				t.Errorf("screen: got %q; want %q", got, tt.want)
			}
		})
	}
}

const grid5Text = "abcde\nfghij\nklmno\npqrst\nuvwxy"

func TestSplitWrites(t *testing.T) {
	stream := "a\x1b[1;31mb\x1b]2;title\x1b\\日\u0301\x1b[2;3Hc\x1bP1$r\x1b\\d\x1b[38:2::1:2:3me"
	want := New(20, 3, 10)
	want.Write([]byte(stream))
	for size := 1; size <= 7; size++ {
		s := New(20, 3, 10)
		for i := 0; i < len(stream); i += size {
			s.Write([]byte(stream[i:min(i+size, len(stream))]))
		}
		if got, w := string(s.AppendRepaint(nil)), string(want.AppendRepaint(nil)); got != w {
			t.Errorf("chunks of %d: repaint got %q; want %q", size, got, w)
		}
		if got := s.Title(); got != "title" {
			t.Errorf("chunks of %d: title got %q; want %q", size, got, "title")
		}
	}
}

// The alternate screen costs nothing until a program uses it, and then
// behaves as if it had been there all along, through resizes on both
// sides of its first use.
func TestAlternateScreenMadeOnFirstUse(t *testing.T) {
	s := New(80, 24, 100)
	if s.alt.rows != nil {
		t.Fatalf("a new screen holds %d alternate rows; want none", len(s.alt.rows))
	}
	s.Resize(100, 30)
	s.Resize(60, 10)
	s.Write([]byte("main\x1b[?1049hon alt"))
	if cols, rows := s.Size(); len(s.alt.rows) != rows || len(s.alt.rows[0]) != cols {
		t.Fatalf("alternate grid %dx%d; want %dx%d", len(s.alt.rows[0]), len(s.alt.rows), cols, rows)
	}
	if got := s.Lines()[0]; !strings.HasPrefix(got, "    on alt") {
		t.Errorf("alternate screen row 0 = %q", got)
	}
	s.Resize(70, 12)
	s.Write([]byte("\x1b[?1049l"))
	if got := s.Lines()[0]; !strings.HasPrefix(got, "main") {
		t.Errorf("main screen row 0 after leaving = %q", got)
	}
	if len(s.alt.rows) != 12 || len(s.alt.rows[0]) != 70 {
		t.Errorf("alternate grid not resized with the screen")
	}
}

// TestC1ControlsAreNotKept: C1 controls written as UTF-8 (U+009B is CSI
// to a terminal that honours C1) are not stored as marks on a character,
// so a repaint never sends them to a client.
func TestC1ControlsAreNotKept(t *testing.T) {
	s := New(20, 3, 0)
	s.Write([]byte("a\u009b31mb\u0085c\u007fd"))
	if got := s.Lines()[0]; got != "a31mbcd" {
		t.Errorf("line = %q; want %q", got, "a31mbcd")
	}
	rep := string(s.AppendRepaint(nil))
	for _, c1 := range []string{"\u009b", "\u0085", "\u007f"} {
		if strings.Contains(rep, c1) {
			t.Errorf("repaint holds %q: %q", c1, rep)
		}
	}
}
