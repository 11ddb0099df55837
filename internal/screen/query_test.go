package screen

import (
	"runtime"
	"strings"
	"testing"
)

func TestReplies(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "DA1", in: "\x1b[c", want: "\x1b[?1;2c"},
		{name: "DA1 zero", in: "\x1b[0c", want: "\x1b[?1;2c"},
		{name: "DSR status", in: "\x1b[5n", want: "\x1b[0n"},
		{name: "CPR", in: "\x1b[3;7H\x1b[6n", want: "\x1b[3;7R"},
		{name: "CPR at pending wrap", in: "\x1b[1;9Hxy\x1b[6n", want: "\x1b[1;10R"},
		{name: "CPR in origin mode", in: "\x1b[2;4r\x1b[?6h\x1b[2;3H\x1b[6n", want: "\x1b[2;3R"},
		{name: "split query", in: "\x1b[" + "6" + "n", want: "\x1b[1;1R"},
		{name: "DA2 not answered", in: "\x1b[>c", want: ""},
		{name: "XTVERSION not answered", in: "\x1b[>0q", want: ""},
		{name: "OSC colour query not answered", in: "\x1b]10;?\a\x1b]11;?\x1b\\", want: ""},
		{name: "DECRQM not answered", in: "\x1b[?2026$p", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(10, 5, 0)
			var got []string
			s.SetReplyFunc(func(b []byte) { got = append(got, string(b)) })
			for i := range len(tt.in) {
				s.Write([]byte{tt.in[i]}) // byte by byte: splits never matter
			}
			if g := strings.Join(got, ""); g != tt.want {
				t.Errorf("reply: got %q; want %q", g, tt.want)
			}
		})
	}
}

func TestNoReplyWithoutFunc(t *testing.T) {
	s := New(10, 5, 0)
	var got []string
	s.SetReplyFunc(func(b []byte) { got = append(got, string(b)) })
	s.SetReplyFunc(nil)
	s.Write([]byte("\x1b[c\x1b[6n\x1b[5n"))
	if len(got) != 0 {
		t.Errorf("replies: got %q; want none", got)
	}
}

func TestTitle(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "OSC 2 BEL", in: "\x1b]2;hello\a", want: "hello"},
		{name: "OSC 0 ST", in: "\x1b]0;hello world\x1b\\", want: "hello world"},
		{name: "OSC 1 icon ignored", in: "\x1b]1;icon\a", want: ""},
		{name: "utf8", in: "\x1b]2;✳ Claude Code\a", want: "✳ Claude Code"},
		{name: "controls stripped", in: "\x1b]2;a\x01b\x9bc\a", want: "abc"},
		{name: "cancelled by CAN", in: "\x1b]2;abc\x18def", want: ""},
		{name: "cancelled by ESC", in: "\x1b]2;abc\x1b[31mdef", want: ""},
		{name: "bounded", in: "\x1b]2;" + strings.Repeat("t", 100000) + "\a", want: strings.Repeat("t", maxTitleBytes)},
		{name: "no separator", in: "\x1b]2\a", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(10, 2, 0)
			s.Write([]byte(tt.in))
			if got := s.Title(); got != tt.want {
				t.Errorf("title: got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestModes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want modes
	}{
		{name: "defaults", in: "", want: defaultModes()},
		{name: "input modes", in: "\x1b[?1h\x1b=\x1b[?2004h\x1b[?1004h", want: modes{autowrap: true, appCursor: true, appKeypad: true, bracketedPaste: true, focus: true}},
		{name: "keypad off", in: "\x1b=\x1b>", want: defaultModes()},
		{name: "mouse last wins", in: "\x1b[?1000h\x1b[?1003h", want: modes{autowrap: true, mouse: 1003}},
		{name: "mouse off", in: "\x1b[?1002h\x1b[?1002l", want: defaultModes()},
		{name: "mouse encodings", in: "\x1b[?1006h\x1b[?1015h\x1b[?1005h", want: modes{autowrap: true, mouseSGR: true, mouseURXVT: true, mouseUTF8: true}},
		{name: "several in one", in: "\x1b[?25;7l", want: modes{cursorHidden: true}},
		{name: "cursor style", in: "\x1b[4 q", want: modes{autowrap: true, cursorStyle: 4}},
		{name: "insert and newline", in: "\x1b[4;20h", want: modes{autowrap: true, insert: true, newline: true}},
		{name: "DECSTR", in: "\x1b[?1h\x1b=\x1b[4h\x1b[?6h\x1b[?7l\x1b[?25l\x1b[!p", want: defaultModes()},
		{name: "DECSTR keeps mouse", in: "\x1b[?1000h\x1b[!p", want: modes{autowrap: true, mouse: 1000}},
		{name: "RIS", in: "\x1b[?1h\x1b[?1000h\x1b[?2004h\x1b[>1u\x1b[>4;2m\x1bc", want: defaultModes()},
		{name: "modifyOtherKeys", in: "\x1b[>4;2m", want: modes{autowrap: true, modifyKeys: 2}},
		{name: "modifyOtherKeys reset", in: "\x1b[>4;2m\x1b[>4m", want: defaultModes()},
		{name: "kitty push", in: "\x1b[>1u\x1b[>3u", want: modes{autowrap: true, kittyKeys: 3}},
		{name: "kitty pop", in: "\x1b[>1u\x1b[>3u\x1b[<u", want: modes{autowrap: true, kittyKeys: 1}},
		{name: "kitty pop all", in: "\x1b[>1u\x1b[>3u\x1b[<9u", want: defaultModes()},
		{name: "kitty set or and-not", in: "\x1b[=1;1u\x1b[=4;2u\x1b[=1;3u", want: modes{autowrap: true, kittyKeys: 4}},
		{name: "kitty query ignored", in: "\x1b[?u", want: defaultModes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(10, 2, 0)
			s.Write([]byte(tt.in))
			if s.m != tt.want {
				t.Errorf("modes: got %+v; want %+v", s.m, tt.want)
			}
		})
	}
}

func TestAltScreen(t *testing.T) {
	tests := []struct {
		name string
		in   string
		alt  bool
		want string
		x, y int
	}{
		{name: "1049 enter", in: "main\x1b[?1049h", alt: true, want: "", x: 4},
		{name: "1049 leave restores cursor", in: "main\x1b[?1049h\x1b[3;3Halt\x1b[?1049l", want: "main", x: 4},
		{name: "1047 keeps the cursor", in: "main\x1b[?1047hx\x1b[?1047l", want: "main", x: 5},
		{name: "47", in: "main\x1b[?47hx", alt: true, want: "    x", x: 5},
		{name: "alt starts blank", in: "\x1b[?1049hold\x1b[?1049l\x1b[?1049h", alt: true, want: ""},
		{name: "double enter", in: "a\x1b[?1049hb\x1b[?1049hc", alt: true, want: " bc", x: 3},
		{name: "leave when not in alt", in: "a\x1b[?1049lb", want: "ab", x: 2},
		{name: "RIS leaves alt", in: "a\x1b[?1049hb\x1bc", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(10, 4, 10)
			s.Write([]byte(tt.in))
			if s.AltScreen() != tt.alt {
				t.Errorf("AltScreen: got %v; want %v", s.AltScreen(), tt.alt)
			}
			if got := screenText(s); got != tt.want {
				t.Errorf("screen: got %q; want %q", got, tt.want)
			}
			if x, y, _ := s.Cursor(); x != tt.x || y != tt.y {
				t.Errorf("cursor: got %d,%d; want %d,%d", x, y, tt.x, tt.y)
			}
		})
	}
}

// TestHostileStreams checks that hostile input keeps memory bounded.
func TestHostileStreams(t *testing.T) {
	tests := []struct {
		name  string
		chunk string
		n     int
	}{
		{name: "combining marks on one cell", chunk: "a" + strings.Repeat("\u0301", 1000), n: 1000},
		{name: "combining marks everywhere", chunk: "e\u0301\u0302\u0303\u0304\u0305\u0306", n: 200000},
		{name: "huge parameters", chunk: "\x1b[" + strings.Repeat("9", 10000) + ";" + strings.Repeat("9", 10000) + "H", n: 100},
		{name: "many parameters", chunk: "\x1b[" + strings.Repeat("1;", 10000) + "m", n: 100},
		{name: "gigantic OSC", chunk: "\x1b]2;" + strings.Repeat("x", 1<<20), n: 20},
		{name: "gigantic DCS", chunk: "\x1bP" + strings.Repeat("x", 1<<20), n: 20},
		{name: "endless CSI intermediates", chunk: "\x1b[" + strings.Repeat(" ", 1<<20), n: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(80, 24, 100)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			chunk := []byte(tt.chunk)
			for range tt.n {
				s.Write(chunk)
			}
			s.Write([]byte("\a\x1b\\"))
			runtime.GC()
			runtime.ReadMemStats(&after)
			if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 8<<20 {
				t.Errorf("heap grew by %d bytes; want under 8 MiB", grown)
			}
			if len(s.combs) > 2*80*24*2+minCombMax {
				t.Errorf("combining arena: got %d entries", len(s.combs))
			}
			for _, l := range s.Lines() {
				if len(l) > 80*(1+maxCombBytes+4) {
					t.Errorf("row of %d bytes", len(l))
				}
			}
			if len(s.Title()) > maxTitleBytes || cap(s.p.osc) > 2*maxOSCBytes {
				t.Errorf("title %d bytes, OSC buffer cap %d", len(s.Title()), cap(s.p.osc))
			}
		})
	}
}
