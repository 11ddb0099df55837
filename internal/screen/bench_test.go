package screen

import (
	"bytes"
	"testing"
)

// mixedStream is text with frequent SGR changes, box drawing, CJK and
// cursor movement: roughly what a TUI like Claude Code writes.
func mixedStream() []byte {
	var b bytes.Buffer
	for i := range 2000 {
		b.WriteString("\x1b[1;38;5;208mhello\x1b[0m world, some plain text with \x1b[32mcolour\x1b[m and more │ box ─ \r\n")
		if i%10 == 0 {
			b.WriteString("\x1b[38;2;10;20;30m╭──────╮ 日本語テキスト\x1b[0m\x1b[K\r\n\x1b[2A\x1b[5G")
		}
	}
	return b.Bytes()
}

func BenchmarkWrite(b *testing.B) {
	data := mixedStream()
	s := New(120, 40, 5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s.Write(data)
	}
}

func BenchmarkWritePlain(b *testing.B) {
	data := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog 0123456789\r\n"), 4000)
	s := New(120, 40, 5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s.Write(data)
	}
}

func BenchmarkRepaint(b *testing.B) {
	s := New(200, 60, 1000)
	s.Write(mixedStream())
	s.Write([]byte("\x1b[?1049h"))
	s.Write(mixedStream()[:20000])
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendRepaint(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkWriteUnicode(b *testing.B) {
	var buf bytes.Buffer
	for range 1000 {
		buf.WriteString("\x1b[38;2;153;153;153m╭──────────────────────────────────────╮\x1b[39m\r\n")
		buf.WriteString("│ ❯ 日本語のテキスト, emoji 🚀 and e\u0301 │\r\n")
	}
	data := buf.Bytes()
	s := New(120, 40, 5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s.Write(data)
	}
}

// BenchmarkViewFrame is a full frame of a 200x60 screen for an 80x24
// terminal: what a client of another size gets on attach or a switch.
func BenchmarkViewFrame(b *testing.B) {
	s := New(200, 60, 1000)
	s.Write(mixedStream())
	var v View
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		v.Reset()
		buf = s.AppendView(buf[:0], &v, 80, 24)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkViewDiff is the frame after one row of a 200x60 screen changed,
// for an 80x24 terminal: the common case of a viewer keeping up.
func BenchmarkViewDiff(b *testing.B) {
	s := New(200, 60, 1000)
	s.Write(mixedStream())
	s.Write([]byte("\x1b[60;1H"))
	var v View
	buf := s.AppendView(nil, &v, 80, 24)
	rows := [][]byte{[]byte("\x1b[50;1Hone\x1b[K\x1b[60;1H"), []byte("\x1b[50;1Htwo\x1b[K\x1b[60;1H")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Write(rows[i%2])
		i++
		buf = s.AppendView(buf[:0], &v, 80, 24)
	}
	b.SetBytes(int64(len(buf)))
}
