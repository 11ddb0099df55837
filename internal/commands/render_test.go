package commands

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// renderAll renders in through a textRenderer of line length max, fed in
// the given chunks, and returns the lines.
func renderAll(t testing.TB, max int, chunks ...[]byte) []string {
	t.Helper()
	var lines []string
	tr := newTextRendererMax(func(b []byte) error {
		lines = append(lines, string(b))
		return nil
	}, max)
	for _, c := range chunks {
		if _, err := tr.Write(c); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return lines
}

func TestTextRenderer(t *testing.T) {
	tests := []struct {
		name string
		max  int
		in   string
		want []string
	}{
		{"empty", 0, "", nil},
		{"plain lines", 0, "a\nb\n", []string{"a", "b"}},
		{"last line without newline", 0, "a\nb", []string{"a", "b"}},
		{"empty lines kept", 0, "\n\na\n", []string{"", "", "a"}},
		{"crlf", 0, "a\r\nb\r\n", []string{"a", "b"}},
		{"lone cr keeps the last version", 0, "10%\r50%\r100%\n", []string{"100%"}},
		{"shorter rewrite replaces the line", 0, "downloading\rdone\n", []string{"done"}},
		{"cr then erase then text", 0, "old\r\x1b[Knew\n", []string{"new"}},
		{"cr at the end keeps the line", 0, "abc\r", []string{"abc"}},
		{"lf cr", 0, "a\n\rb\n", []string{"a", "b"}},
		{"backspace", 0, "abd\bc\n", []string{"abc"}},
		{"backspace over a multibyte rune", 0, "aé\b\n", []string{"a"}},
		{"backspace at line start", 0, "\bx\n", []string{"x"}},
		{"sgr", 0, "\x1b[1;31mred\x1b[0m plain\n", []string{"red plain"}},
		{"private csi", 0, "\x1b[?2004h\x1b[?1049lx\n", []string{"x"}},
		{"csi with intermediates", 0, "\x1b[2 qx\n", []string{"x"}},
		{"cursor moves dropped", 0, "\x1b[2K\x1b[1A\x1b[Gline\n", []string{"line"}},
		{"osc with bel", 0, "\x1b]0;title\x07x\n", []string{"x"}},
		{"osc hyperlink with st", 0, "\x1b]8;;http://e.x/\x1b\\link\x1b]8;;\x1b\\\n", []string{"link"}},
		{"osc ignores newlines inside", 0, "\x1b]0;a\nb\x07x\n", []string{"x"}},
		{"dcs", 0, "\x1bPq#0;2;0;0;0\x07still dcs\x1b\\x\n", []string{"x"}},
		{"apc", 0, "\x1b_Gf=100;AAAA\x1b\\x\n", []string{"x"}},
		{"sos and pm", 0, "\x1bXsos\x1b\\\x1b^pm\x1b\\x\n", []string{"x"}},
		{"ss2 and ss3 drop the next character", 0, "\x1bNa\x1bObx\n", []string{"x"}},
		{"charset designation", 0, "\x1b(B\x1b)0x\n", []string{"x"}},
		{"two-byte escapes", 0, "\x1b7\x1b=x\x1b8\x1bM\n", []string{"x"}},
		{"esc esc", 0, "\x1b\x1b[31mx\n", []string{"x"}},
		{"c1 csi", 0, "\u009b31mx\n", []string{"x"}},
		{"c1 osc with c1 st", 0, "\u009d0;t\u009cx\n", []string{"x"}},
		{"c1 dcs", 0, "\u0090data\u009cx\n", []string{"x"}},
		{"other c1 dropped", 0, "a\u0085b\n", []string{"ab"}},
		{"can cancels a sequence", 0, "\x1b[31\x18x\n", []string{"x"}},
		{"sub cancels a string", 0, "\x1b]0;t\x1ax\n", []string{"x"}},
		{"text aborts a malformed csi", 0, "\x1b[1é\n", []string{"é"}},
		{"control inside csi acts", 0, "\x1b[1\n2mx\n", []string{"", "x"}},
		{"unterminated osc swallows the rest", 0, "a\x1b]0;title\nb\n", []string{"a"}},
		{"c0 and del dropped", 0, "a\x00\x01\x07\x7fb\n", []string{"ab"}},
		{"tab kept", 0, "a\tb\n", []string{"a\tb"}},
		{"vt and ff end lines", 0, "a\vb\fc", []string{"a", "b", "c"}},
		{"utf-8 kept", 0, "héllo ✓ 𝄞\n", []string{"héllo ✓ 𝄞"}},
		{"invalid byte", 0, "a\xffb\n", []string{"a\uFFFDb"}},
		{"overlong encoding", 0, "a\xc0\xafb\n", []string{"a\uFFFDb"}},
		{"surrogate", 0, "a\xed\xa0\x80b\n", []string{"a\uFFFDb"}},
		{"truncated rune before ascii", 0, "a\xe2\x82b\n", []string{"a\uFFFDb"}},
		{"truncated rune at the end", 0, "a\xe2\x82", []string{"a\uFFFD"}},
		{"long line wraps", 4, "abcdefghij\n", []string{"abcd", "efgh", "ij"}},
		{"wrap keeps runes whole", 4, "ééé\n", []string{"éé", "é"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.max
			if max == 0 {
				max = maxLineBytes
			}
			got := renderAll(t, max, []byte(tt.in))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			// Byte by byte gives the same lines.
			var chunks [][]byte
			for i := range len(tt.in) {
				chunks = append(chunks, []byte{tt.in[i]})
			}
			if got := renderAll(t, max, chunks...); !slices.Equal(got, tt.want) {
				t.Errorf("byte by byte: got %q; want %q", got, tt.want)
			}
		})
	}
}

func FuzzTextRenderer(f *testing.F) {
	f.Add([]byte("a\r\nb\rc\x1b[31md\x1b]0;t\x07e\bf\n"), []byte{1, 5, 9})
	f.Add([]byte("\xe2\x82\xac\u009b1m\x1bP\x1b\\\x1bOA\xff"), []byte{2, 2})
	f.Add([]byte(strings.Repeat("é", 20)+"\r\n"), []byte{7})
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		const max = 8
		whole := renderAll(t, max, in)
		var chunks [][]byte
		rest := in
		for _, c := range cuts {
			n := min(int(c), len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		chunks = append(chunks, rest)
		if got := renderAll(t, max, chunks...); !slices.Equal(got, whole) {
			t.Fatalf("chunked: got %q; want %q", got, whole)
		}
		for _, l := range whole {
			if len(l) > max {
				t.Errorf("line %q: got %d bytes; want at most %d", l, len(l), max)
			}
			if !utf8.ValidString(l) {
				t.Errorf("line %q is not valid UTF-8", l)
			}
			for _, r := range l {
				if r != '\t' && (r < 0x20 || r >= 0x7f && r < 0xa0) {
					t.Errorf("line %q carries control %U", l, r)
				}
			}
		}
	})
}

func TestCleanWriter(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"progress keeps cr", []string{"Receiving 10%\r", "Receiving 100%\n"}, "Receiving 10%\rReceiving 100%\n"},
		{"escapes stripped across writes", []string{"remote: \x1b[3", "1mhi\x1b]0;pwn", "ed\x07\n"}, "remote: hi\n"},
		{"controls and backspace dropped", []string{"a\x00\b\x07b\t\n"}, "ab\t\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := newCleanWriter(&out)
			for _, s := range tt.in {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("write: got %d, %v; want %d, nil", n, err, len(s))
				}
			}
			if out.String() != tt.want {
				t.Errorf("got %q; want %q", out.String(), tt.want)
			}
		})
	}
}

func TestLineRing(t *testing.T) {
	tests := []struct {
		name        string
		max, budget int
		push        []string
		want        []string
		wantTrimmed bool
	}{
		{"fewer than max", 3, 100, []string{"a", "b"}, []string{"a", "b"}, false},
		{"keeps the last max", 3, 100, []string{"a", "b", "c", "d", "e"}, []string{"c", "d", "e"}, false},
		{"budget drops older lines", 10, 6, []string{"aaa", "bbb", "ccc"}, []string{"bbb", "ccc"}, true},
		{"one line always kept", 2, 1, []string{"aaaa"}, []string{"aaaa"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newLineRing(tt.max, tt.budget)
			for _, s := range tt.push {
				r.push([]byte(s))
			}
			var got []string
			r.each(func(s string) error { got = append(got, s); return nil })
			if !slices.Equal(got, tt.want) || r.trimmed != tt.wantTrimmed {
				t.Errorf("got %q trimmed=%v; want %q trimmed=%v", got, r.trimmed, tt.want, tt.wantTrimmed)
			}
		})
	}
}

// genReader generates a terminal stream of lines frames without holding
// it: each frame is a progress line redrawn in place, as TUIs write it. It
// fails the test if asked to fill a buffer larger than maxRead (reading the
// whole stream into memory grows its buffer past that).
type genReader struct {
	t       testing.TB
	lines   int // frames still to generate
	next    int
	noLF    bool // generate one endless line instead
	buf     []byte
	maxRead int
}

func (g *genReader) Read(p []byte) (int, error) {
	if len(p) > g.maxRead {
		g.t.Errorf("read of %d bytes; want at most %d: is the history read into memory?", len(p), g.maxRead)
	}
	n := 0
	for n < len(p) {
		if len(g.buf) == 0 {
			if g.lines == 0 {
				if n == 0 {
					return 0, io.EOF
				}
				break
			}
			g.lines--
			g.next++
			if g.noLF {
				g.buf = append(g.buf[:0], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x1b[0m"...)
			} else {
				g.buf = fmt.Appendf(g.buf[:0], "\x1b[2K\x1b[1;32mline %d\x1b[0m working 10%%\rline %d done\r\n", g.next, g.next)
			}
		}
		c := copy(p[n:], g.buf)
		n += c
		g.buf = g.buf[c:]
	}
	return n, nil
}

func TestRenderHistoryBoundedMemory(t *testing.T) {
	tests := []struct {
		name         string
		gen          genReader
		lines        int
		wantOut      string // "" means do not compare
		wantMaxBytes int
	}{
		{"last 3 of 200k frames", genReader{lines: 200000}, 3,
			"line 199998 done\nline 199999 done\nline 200000 done\n", 3*20 + maxLineBytes + utf8.UTFMax},
		{"one 8 MiB line wraps", genReader{lines: 120000, noLF: true}, 2, "", 3*maxLineBytes + utf8.UTFMax},
		{"all lines stream through", genReader{lines: 200000}, 0, "", maxLineBytes + utf8.UTFMax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.gen
			g.t, g.maxRead = t, copyBuffer
			var out countingWriter
			st, err := renderHistory(&out, &g, tt.lines)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantOut != "" && out.tail.String() != tt.wantOut {
				t.Errorf("got %q; want %q", out.tail.String(), tt.wantOut)
			}
			if st.maxRetained > tt.wantMaxBytes {
				t.Errorf("retained: got %d bytes; want at most %d", st.maxRetained, tt.wantMaxBytes)
			}
			if out.n == 0 {
				t.Errorf("no output")
			}
		})
	}
}

// countingWriter counts bytes and keeps only the first 4 KiB.
type countingWriter struct {
	n    int
	tail bytes.Buffer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	if room := 4096 - c.tail.Len(); room > 0 {
		c.tail.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
