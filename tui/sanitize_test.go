package tui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "api-server", want: "api-server"},
		{name: "unicode kept", in: "café 日本 ✳", want: "café 日本 ✳"},
		{name: "OSC 52 clipboard BEL", in: "a\x1b]52;c;ZWNobyBwd25lZA==\x07b", want: "ab"},
		{name: "OSC 52 clipboard ST", in: "a\x1b]52;c;ZWNobw==\x1b\\b", want: "ab"},
		{name: "OSC 8 link", in: "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", want: "click"},
		{name: "OSC title", in: "\x1b]0;pwned\x07name", want: "name"},
		{name: "ESC c reset", in: "x\x1bcy", want: "xy"},
		{name: "ESC[6n report", in: "x\x1b[6ny", want: "xy"},
		{name: "SGR", in: "\x1b[1;31mred\x1b[0m", want: "red"},
		{name: "CSI private mode", in: "\x1b[?1049hz", want: "z"},
		{name: "charset designation", in: "\x1b(0q\x1b(B", want: "q"},
		{name: "unterminated OSC swallows the rest", in: "ok\x1b]52;c;AAAA", want: "ok"},
		{name: "unterminated CSI", in: "ok\x1b[12;", want: "ok"},
		{name: "trailing ESC", in: "ok\x1b", want: "ok"},
		{name: "DCS", in: "a\x1bP1$r0m\x1b\\b", want: "ab"},
		{name: "APC", in: "a\x1b_Gf=100;AAAA\x1b\\b", want: "ab"},
		{name: "OSC ended by ESC other than ST", in: "a\x1b]0;t\x1b[31mb", want: "ab"},
		{name: "OSC cancelled by CAN", in: "a\x1b]0;t\x18b", want: "ab"},
		{name: "C1 CSI as UTF-8", in: "a\u009b6nb", want: "ab"},
		{name: "C1 OSC as UTF-8", in: "a\u009d52;c;AA\u009cb", want: "ab"},
		{name: "C1 raw CSI byte", in: "a\x9b6nb", want: "ab"},
		{name: "C1 raw OSC byte", in: "a\x9d0;t\x07b", want: "ab"},
		{name: "C1 NEL and IND", in: "a\u0085\u0084b", want: "ab"},
		{name: "C0 controls", in: "a\x00\x07\x08\x0b\x0cb\x7f", want: "ab"},
		{name: "newline tab CR become spaces", in: "a\nb\tc\rd", want: "a b c d"},
		{name: "bidi override", in: "abc\u202edcba\u202c", want: "abcdcba"},
		{name: "bidi isolates", in: "\u2066x\u2067y\u2068z\u2069", want: "xyz"},
		{name: "bidi marks", in: "a\u200e\u200f\u061cb", want: "ab"},
		{name: "zero-width", in: "a\u200bb\u200cc\u200dd\ufeffe\u2060f", want: "abcdef"},
		{name: "invalid UTF-8", in: "a\xffb", want: "a\ufffdb"},
		{name: "CJK kept", in: "工作区", want: "工作区"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q): got %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		name  string
		in    string
		width int
		want  string
	}{
		{name: "fits", in: "short", width: 10, want: "short"},
		{name: "300 chars", in: long, width: 20, want: strings.Repeat("a", 19) + "…"},
		{name: "300 chars with hidden padding", in: strings.Repeat("a\u200b", 300), width: 8, want: "aaaaaaa…"},
		{name: "width after stripping", in: "\x1b[31m\x1b]0;x\x07name\x1b[0m", width: 4, want: "name"},
		{name: "CJK by display width", in: "工作区工作区", width: 7, want: "工作区…"},
		{name: "CJK never split", in: "工作区", width: 4, want: "工…"},
		{name: "zero width", in: "abc", width: 0, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in, tt.width)
			if got != tt.want {
				t.Errorf("clip(%q, %d): got %q; want %q", tt.in, tt.width, got, tt.want)
			}
			if w := ansi.StringWidth(got); w > tt.width {
				t.Errorf("clip(%q, %d): width %d", tt.in, tt.width, w)
			}
		})
	}
}

// checkSafe reports the first character a terminal could act on.
func checkSafe(s string) (rune, bool) {
	if !utf8.ValidString(s) {
		return utf8.RuneError, false
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || invisible(r) {
			return r, false
		}
	}
	return 0, true
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"api", "\x1b]52;c;AAAA\x07", "\x1b]8;;http://x\x1b\\y", "\x1bc", "\x1b[6n", "\x1b]0;",
		"\x9b31m", "\u009d0;x\u009c", "\u202ex", "a\u200bb", "工作区", "\xff\xfe", "\x1bP", "\x1b(",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		if r, ok := checkSafe(got); !ok {
			t.Fatalf("Sanitize(%q) = %q: contains %U", s, got, r)
		}
		if again := Sanitize(got); again != got {
			t.Fatalf("Sanitize not idempotent on %q: got %q; want %q", s, again, got)
		}
		if len(got) > 3*len(s) {
			t.Fatalf("Sanitize(%q) grew to %q", s, got)
		}
		if c := clip(s, 10); ansi.StringWidth(c) > 10 {
			t.Fatalf("clip(%q, 10) = %q: width %d", s, c, ansi.StringWidth(c))
		}
	})
}
