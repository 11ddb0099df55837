package session

import (
	"bytes"
	"testing"
)

func TestClamp(t *testing.T) {
	tests := []struct {
		name       string
		cols, rows uint32
		want       Window
	}{
		{"zero is unknown", 0, 0, Window{}},
		{"one", 1, 1, Window{MinCols, MinRows}},
		{"normal", 80, 24, Window{80, 24}},
		{"65535", 65535, 65535, Window{MaxCols, MaxRows}},
		{"65536", 65536, 65536, Window{MaxCols, MaxRows}},
		{"max uint32", 1<<32 - 1, 1<<32 - 1, Window{MaxCols, MaxRows}},
		{"cols only", 100, 0, Window{100, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clamp(tt.cols, tt.rows); got != tt.want {
				t.Errorf("Clamp(%d, %d) = %+v; want %+v", tt.cols, tt.rows, got, tt.want)
			}
		})
	}
	if w := clampWindow(Window{-5, 1 << 40}); w != (Window{0, MaxRows}) {
		t.Errorf("clampWindow = %+v; want {0 %d}", w, MaxRows)
	}
	if (Window{100, 0}).Valid() {
		t.Error("a window with an unknown dimension is valid")
	}
}

func TestSplitDetach(t *testing.T) {
	const k = 0x1c
	tests := []struct {
		name        string
		in          string
		pending     bool
		send, rest  string
		detach, pnd bool
	}{
		{name: "plain", in: "abc", send: "abc"},
		{name: "key in the middle", in: "ab\x1ccd", send: "ab", detach: true, rest: "cd"},
		{name: "key first", in: "\x1cls\r", detach: true, rest: "ls\r"},
		{name: "double in one chunk", in: "a\x1c\x1cb", send: "a\x1cb"},
		{name: "double then single", in: "\x1c\x1cx\x1cy", send: "\x1cx", detach: true, rest: "y"},
		{name: "lone key at end is pending", in: "ab\x1c", send: "ab", pnd: true},
		{name: "second key across chunks", in: "\x1cz", pending: true, send: "\x1cz"},
		{name: "other byte after pending detaches", in: "q", pending: true, detach: true, rest: "q"},
		{name: "pending then pending again", in: "\x1c\x1c", pending: true, send: "\x1c", pnd: true},
		{name: "triple", in: "\x1c\x1c\x1c", send: "\x1c", pnd: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitDetach([]byte(tt.in), k, tt.pending)
			if string(got.send) != tt.send || got.detach != tt.detach || string(got.rest) != tt.rest || got.pending != tt.pnd {
				t.Errorf("splitDetach(%q, %v) = send %q detach %v rest %q pending %v; want send %q detach %v rest %q pending %v",
					tt.in, tt.pending, got.send, got.detach, got.rest, got.pending, tt.send, tt.detach, tt.rest, tt.pnd)
			}
		})
	}
}

func TestDropReplies(t *testing.T) {
	tests := []struct {
		name string
		in   []string // chunks
		want string
	}{
		{name: "plain typing", in: []string{"hello\r"}, want: "hello\r"},
		{name: "arrow keys stay", in: []string{"\x1b[A\x1b[1;5C\x1bOP"}, want: "\x1b[A\x1b[1;5C\x1bOP"},
		{name: "escape key stays", in: []string{"\x1b"}, want: "\x1b"},
		{name: "alt-p stays", in: []string{"\x1bPx"}, want: "\x1bPx"},
		{name: "cpr", in: []string{"a\x1b[12;40Rb"}, want: "ab"},
		{name: "decxcpr", in: []string{"\x1b[?12;40;1R"}, want: ""},
		{name: "da1", in: []string{"\x1b[?62;22c"}, want: ""},
		{name: "da2", in: []string{"\x1b[>0;276;0c"}, want: ""},
		{name: "decrpm", in: []string{"\x1b[?2004;1$y"}, want: ""},
		{name: "dsr ok", in: []string{"\x1b[0n"}, want: ""},
		{name: "kitty flags", in: []string{"\x1b[?0u"}, want: ""},
		{name: "kitty key event stays", in: []string{"\x1b[97;5u"}, want: "\x1b[97;5u"},
		{name: "osc 11 bel", in: []string{"x\x1b]11;rgb:0000/0000/0000\x07y"}, want: "xy"},
		{name: "osc 10 st", in: []string{"\x1b]10;rgb:ffff/ffff/ffff\x1b\\z"}, want: "z"},
		{name: "osc 4", in: []string{"\x1b]4;1;rgb:cd00/0000/0000\x07"}, want: ""},
		{name: "osc 2 stays", in: []string{"\x1b]2;title\x07"}, want: "\x1b]2;title\x07"},
		{name: "xtversion", in: []string{"\x1bP>|XTerm(390)\x1b\\ok"}, want: "ok"},
		{name: "decrqss", in: []string{"\x1bP1$r0m\x1b\\"}, want: ""},
		{name: "osc split across chunks", in: []string{"a\x1b]11;rgb:00", "00/0000/0000\x07b"}, want: "ab"},
		{name: "st split across chunks", in: []string{"\x1b]11;rgb:0/0/0\x1b", "\\c"}, want: "c"},
		{name: "runaway string gives up", in: []string{"\x1b]11;", string(bytes.Repeat([]byte("a"), 5000)), "tail"}, want: string(bytes.Repeat([]byte("a"), 5000)) + "tail"},
		{name: "csi split passes through", in: []string{"\x1b[12;", "40R"}, want: "\x1b[12;40R"},
		{name: "two replies and a key", in: []string{"\x1b[?1;2c\x1b[3;4Rq"}, want: "q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st filterState
			var got []byte
			for _, c := range tt.in {
				var out []byte
				out, st = dropReplies([]byte(c), st)
				got = append(got, out...)
			}
			if string(got) != tt.want {
				t.Errorf("dropReplies(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzDropReplies(f *testing.F) {
	f.Add([]byte("\x1b[12;40R"), []byte("abc"))
	f.Add([]byte("\x1b]11;rgb:0/0/0"), []byte("\x07x"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var st filterState
		out1, st := dropReplies(a, st)
		out2, _ := dropReplies(b, st)
		if len(out1) > len(a) || len(out2) > len(b) {
			t.Fatalf("filter grew its input")
		}
	})
}

func TestValidTerm(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"xterm", "xterm-256color", "xterm-256color"},
		{"screen", "screen.xterm-256color", "screen.xterm-256color"},
		{"empty", "", defaultTerm},
		{"space", "xterm 256", defaultTerm},
		{"escape", "xterm\x1b]", defaultTerm},
		{"slash", "../../etc", defaultTerm},
		{"too long", string(bytes.Repeat([]byte("a"), 65)), defaultTerm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validTerm(tt.in); got != tt.want {
				t.Errorf("validTerm(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "my-workspace", "my-workspace"},
		{"escape", "a\x1b[2Jb", "a?[2Jb"},
		{"c1 csi", "a\u009b2Jb", "a?2Jb"},
		{"invalid utf-8", "a\xffb", "a?b"},
		{"unicode", "café", "café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sanitize(tt.in); got != tt.want {
				t.Errorf("sanitize(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlainKey(t *testing.T) {
	const key = 0x1c // ctrl-\
	press, release := keyEncodings(key)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain byte untouched", "a\x1cb", "a\x1cb"},
		{"kitty CSI u", "a\x1b[92;5ub", "a\x1cb"},
		{"kitty with press event", "\x1b[92;5:1u", "\x1c"},
		{"kitty release dropped", "\x1b[92;5:1u\x1b[92;5:3u", "\x1c"},
		{"modifyOtherKeys", "\x1b[27;5;92~", "\x1c"},
		{"other kitty keys untouched", "\x1b[97;5u\x1b[92;6u", "\x1b[97;5u\x1b[92;6u"},
		{"no escape fast path", "hello", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(plainKey([]byte(tt.in), key, press, release))
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
	if p, _ := keyEncodings(0x01); string(p[0]) != "\x1b[97;5u" {
		t.Errorf("ctrl-a kitty form: got %q; want %q", p[0], "\x1b[97;5u")
	}
}
