package commands

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
)

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

// TestRenderHistoryBoundedMemory: --lines keeps no more than its lines,
// and the text form holds no line at all.
func TestRenderHistoryBoundedMemory(t *testing.T) {
	tests := []struct {
		name         string
		gen          genReader
		lines        int
		wantOut      string // "" means do not compare
		wantMaxBytes int
	}{
		{"last 3 of 200k frames", genReader{lines: 200000}, 3,
			"line 199998 done\nline 199999 done\nline 200000 done\n", 3 * len("line 200000 done")},
		{"all lines stream through", genReader{lines: 200000}, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.gen
			g.t, g.maxRead = t, copyBuffer
			var out countingWriter
			st, err := renderHistory(&out, &g, tt.lines, newLineFake)
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

func newLineFake(line func([]byte) error) TextRenderer { return &lineFake{line: line} }

// TestRenderHistoryWriteError: a failing output stops the rendering with
// its error.
func TestRenderHistoryWriteError(t *testing.T) {
	g := genReader{t: t, lines: 200000, maxRead: copyBuffer}
	want := errors.New("client gone")
	_, err := renderHistory(failingWriter{want}, &g, 0, newLineFake)
	if !errors.Is(err, want) {
		t.Errorf("got %v; want %v", err, want)
	}
	if g.lines == 0 {
		t.Errorf("the whole history was read after the output failed")
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestAppendSafe(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "auto mode on", "auto mode on"},
		{"utf-8 kept", "⏵⏵ ✓ é 𝄞\u00a0", "⏵⏵ ✓ é 𝄞\u00a0"},
		{"escape", "\x1b]0;pwn\x07x", "?]0;pwn?x"},
		{"c1 and del", "a\u009bb\x7fc", "a?b?c"},
		{"tab and cr", "a\tb\rc", "a?b?c"},
		{"bidi overrides", "abc\u202edcb\u2066", "abc?dcb?"},
		{"invalid utf-8", "a\xffb\xe2\x82", "a?b??"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendSafe(nil, []byte(tt.in))); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
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
