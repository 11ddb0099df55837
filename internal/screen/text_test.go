package screen

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// renderText renders the chunks through a Text of cols x rows and returns
// its lines.
func renderText(t testing.TB, cols, rows int, chunks ...[]byte) []string {
	t.Helper()
	var lines []string
	tx := NewText(cols, rows, func(b []byte) error {
		lines = append(lines, string(b))
		return nil
	})
	for _, c := range chunks {
		if n, err := tx.Write(c); n != len(c) || err != nil {
			t.Fatalf("write: got %d, %v; want %d, nil", n, err, len(c))
		}
	}
	if err := tx.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return lines
}

// claudeStatus is Claude Code's status line as it writes it: each word
// placed with CHA, nothing written where the spaces show.
const claudeStatus = "\x1b[3G\x1b[38;5;220m⏵⏵\x1b[6Gauto\x1b[11Gmode\x1b[16Gon\x1b[81G\x1b[38;5;246m◐\x1b[83Gmedium\x1b[39m"

// claudeBox is Claude Code's prompt: a rule, the input row, a rule, the
// status line below, then the cursor back up into the input row.
const claudeBox = "\x1b[38;5;244m" + "────────────────────" + "\x1b[39m\r\r\n" +
	"❯\u00a0\x1b[7m \x1b[27m\r\r\n" +
	"\x1b[38;5;244m" + "────────────────────" + "\x1b[39m\r\r\n" +
	"\x1b[3G\x1b[38;5;220m⏵⏵\x1b[6Gauto\x1b[11Gmode\x1b[16Gon\x1b[39m\r\r\n" +
	"\x1b[2C\x1b[3A"

func TestText(t *testing.T) {
	tests := []struct {
		name       string
		cols, rows int
		in         string
		want       []string
	}{
		{"empty", 80, 24, "", nil},
		{"plain lines", 80, 24, "a\r\nb\r\n", []string{"a", "b"}},
		{"words placed by CHA", 100, 5, claudeStatus, []string{"  ⏵⏵ auto mode on" + strings.Repeat(" ", 63) + "◐ medium"}},
		{"words placed by CUF", 80, 5, "auto\x1b[1Cmode\x1b[Con\x1b[3Cend", []string{"auto mode on   end"}},
		{"words placed by CUP", 80, 5, "\x1b[1;1HDetected\x1b[1;10Ha\x1b[1;12Hkey\x1b[2;3Hsecond", []string{"Detected a key", "  second"}},
		{"a lone cr redraws the row", 80, 5, "working 10%\rworking 100%\r\ndone", []string{"working 100%", "done"}},
		{"erase line then rewrite", 80, 5, "downloading\r\x1b[Kok\r\n", []string{"ok"}},
		{"backspace overwrites", 80, 5, "abd\bc", []string{"abc"}},
		{"box redrawn in place keeps its last version", 40, 10,
			claudeBox + "h" + "\x1b[7mi\x1b[27m" + "\r\x1b[2C" + "hi there\x1b[K",
			[]string{"────────────────────", "❯\u00a0hi there", "────────────────────", "  ⏵⏵ auto mode on"}},
		{"rows redrawn with cursor up and erase", 80, 10,
			"· Thinking…\r\n  footer\x1b[1A\r\x1b[2K✻ Done\x1b[1B\r\x1b[2K  footer 2\r\n",
			[]string{"✻ Done", "  footer 2"}},
		{"lines scroll off in order", 20, 3, "1\r\n2\r\n3\r\n4\r\n5", []string{"1", "2", "3", "4", "5"}},
		{"blank rows inside kept, at the end dropped", 20, 10, "a\r\n\r\nb\r\n\r\n\r\n", []string{"a", "", "b"}},
		{"coloured blanks are blank", 20, 5, "x\r\n\x1b[44m\x1b[K\x1b[0m", []string{"x"}},
		{"clear screen keeps what it clears", 20, 5, "old\r\n\x1b[2J\x1b[Hnew", []string{"old", "new"}},
		{"clear scrollback loses nothing already out", 20, 2, "1\r\n2\r\n3\x1b[3J\x1b[2J\x1b[Hx", []string{"1", "2", "3", "x"}},
		{"tabs become spaces", 20, 5, "a\tb", []string{"a       b"}},
		{"long line wraps at the width", 4, 5, "abcdefghij", []string{"abcd", "efgh", "ij"}},
		{"wide characters once", 10, 5, "日本語 ok", []string{"日本語 ok"}},
		{"combining marks kept", 10, 5, "e\u0301te\u0301", []string{"e\u0301te\u0301"}},
		{"sgr, osc and other sequences leave nothing", 20, 5, "\x1b]0;title\x07\x1b[1;31mred\x1b[0m\x1b[?2004h\x1bPq#0\x1b\\!", []string{"red!"}},
		{"controls leave nothing", 20, 5, "a\x00\x07\x0e\x0fb\x7f\u0085c\u009b", []string{"abc"}},
		{"invalid utf-8 is a replacement", 20, 5, "a\xffb", []string{"a\uFFFDb"}},
		{"a cut sequence is one replacement a byte", 20, 5, "a\xec\xafm\xe0\x80n", []string{"a\uFFFD\uFFFDm\uFFFD\uFFFDn"}},
		{"alternate screen left out", 20, 5, "before\r\n\x1b[?1049h\x1b[HFULL SCREEN\x1b[?1049lafter", []string{"before", "after"}},
		{"alternate screen at the end shown after the main one", 20, 5, "main\x1b[?1049h\x1b[Hfull\r\nscreen", []string{"main", "full", "screen"}},
		{"scroll region scrolls without output", 20, 4, "top\x1b[2;3r\x1b[2;1Ha\r\nb\r\nc\x1b[r", []string{"top", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderText(t, tt.cols, tt.rows, []byte(tt.in))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			// Byte by byte gives the same lines.
			var chunks [][]byte
			for i := range len(tt.in) {
				chunks = append(chunks, []byte{tt.in[i]})
			}
			if got := renderText(t, tt.cols, tt.rows, chunks...); !slices.Equal(got, tt.want) {
				t.Errorf("byte by byte: got %q; want %q", got, tt.want)
			}
		})
	}
}

// TestTextLineError: the line func's error ends the rendering: no more
// lines, and Write and Close return it.
func TestTextLineError(t *testing.T) {
	want := errors.New("client gone")
	calls := 0
	tx := NewText(10, 2, func([]byte) error { calls++; return want })
	if _, err := tx.Write([]byte("1\r\n2\r\n3\r\n4\r\n")); !errors.Is(err, want) {
		t.Errorf("write: got %v; want %v", err, want)
	}
	if _, err := tx.Write([]byte("5\r\n")); !errors.Is(err, want) {
		t.Errorf("second write: got %v; want %v", err, want)
	}
	if err := tx.Close(); !errors.Is(err, want) {
		t.Errorf("close: got %v; want %v", err, want)
	}
	if calls != 1 {
		t.Errorf("line func called %d times; want 1", calls)
	}
}

// TestTextBoundedMemory: a long history goes through a Text that holds no
// more than its screen: the scrollback stays empty and the line buffer one
// row long.
func TestTextBoundedMemory(t *testing.T) {
	n := 0
	tx := NewText(80, 24, func(b []byte) error { n++; return nil })
	frame := []byte("\x1b[2K\x1b[1;32mline\x1b[0m working 10%\rline done, and more text to fill the row a little\r\n")
	for range 100000 {
		if _, err := tx.Write(frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Close(); err != nil {
		t.Fatal(err)
	}
	if n != 100000 {
		t.Errorf("got %d lines; want 100000", n)
	}
	if tx.s.sb.n != 0 || tx.s.sb.size != 0 || cap(tx.buf) > 4*80+maxCombBytes*80 {
		t.Errorf("holds %d scrollback lines, %d bytes, a %d-byte line buffer", tx.s.sb.n, tx.s.sb.size, cap(tx.buf))
	}
}

func TestContentRows(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"blank", "", 0},
		{"cursor moves alone", "\x1b[5;5H", 0},
		{"one row", "x", 1},
		{"below the cursor counts", "a\r\nb\r\nc\x1b[2A", 3},
		{"a coloured blank counts", "\x1b[3;1H\x1b[44m \x1b[0m\x1b[H", 3},
		{"an erased row does not", "a\r\nb\x1b[2K", 1},
		{"the main screen under the alternate one", "a\r\nb\x1b[?1049h\x1b[10;1Hfull", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(20, 10, 0)
			s.Write([]byte(tt.in))
			if got := s.ContentRows(); got != tt.want {
				t.Errorf("got %d; want %d", got, tt.want)
			}
		})
	}
}

func FuzzText(f *testing.F) {
	f.Add([]byte(claudeBox+"hello\x1b[9Gfrom\x1b[14Gwarren"), []byte{3, 40, 7}, uint8(40), uint8(6))
	f.Add([]byte("a\r\nb\rc\x1b[31md\x1b]0;t\x07e\bf\x1b[?1049hx\x1b[2J\n"), []byte{1, 5, 9}, uint8(8), uint8(3))
	f.Add([]byte("\xe2\x82\xac\u009b1m\x1bP\x1b\\\x1bOA\xff日本\u0301\x1b[3J"), []byte{2, 2}, uint8(3), uint8(1))
	f.Fuzz(func(t *testing.T, in, cuts []byte, cols, rows uint8) {
		c, r := int(cols)%40+1, int(rows)%12+1
		whole := renderText(t, c, r, in)
		var chunks [][]byte
		rest := in
		for _, n := range cuts {
			k := min(int(n), len(rest))
			chunks = append(chunks, rest[:k])
			rest = rest[k:]
		}
		chunks = append(chunks, rest)
		if got := renderText(t, c, r, chunks...); !slices.Equal(got, whole) {
			t.Fatalf("chunked: got %q; want %q", got, whole)
		}
		for _, l := range whole {
			if !utf8.ValidString(l) {
				t.Errorf("line %q is not valid UTF-8", l)
			}
			if w := utf8.RuneCountInString(l); w > c*(1+maxCombBytes) {
				t.Errorf("line %q: %d runes on a %d-column screen", l, w, c)
			}
			for _, ch := range l {
				if ch < 0x20 || ch >= 0x7f && ch < 0xa0 {
					t.Errorf("line %q carries control %U", l, ch)
				}
			}
			if strings.HasSuffix(l, " ") {
				t.Errorf("line %q ends in a space", l)
			}
		}
	})
}

// BenchmarkText renders Claude-like output: status lines placed by cursor
// moves, a prompt box redrawn in place, and plain lines scrolling off.
func BenchmarkText(b *testing.B) {
	var frame []byte
	for i := range 20 {
		frame = append(frame, "\x1b[38;5;246mplain output line number "...)
		frame = append(frame, byte('a'+i))
		frame = append(frame, " with some words in it\x1b[39m\r\r\n"...)
	}
	frame = append(frame, claudeBox+"hello\x1b[9Gfrom\x1b[14Gwarren\x1b[7m \x1b[27m\r\x1b[2B\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\r"...)
	tx := NewText(100, 30, func([]byte) error { return nil })
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		tx.Write(frame)
	}
}
