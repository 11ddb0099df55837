package commands

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestField(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "main", "main"},
		{"empty", "", "-"},
		{"utf-8 kept", "fix/ünïcode-✓", "fix/ünïcode-✓"},
		{"tab and newline", "a\tb\nc\r", "a?b?c?"},
		{"escape sequence", "\x1b]0;pwn\x07", "?]0;pwn?"},
		{"c1 and del", "a\u009bb\x7f", "a?b?"},
		{"invalid utf-8", "a\xffb", "a?b"},
		{"bidi override", "abc\u202edcb", "abc?dcb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := field(tt.in); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantPos   []string
		wantLines int
		wantRaw   bool
		wantErr   string
	}{
		{"none", nil, nil, 0, false, ""},
		{"flags after", []string{"web", "--lines", "5"}, []string{"web"}, 5, false, ""},
		{"flags before", []string{"--lines", "5", "web"}, []string{"web"}, 5, false, ""},
		{"flags between", []string{"a", "--raw", "b", "-lines=2", "c"}, []string{"a", "b", "c"}, 2, true, ""},
		{"double dash ends flags", []string{"--raw", "--", "--lines", "x"}, []string{"--lines", "x"}, 0, true, ""},
		{"single dash is positional", []string{"-", "--raw"}, []string{"-"}, 0, true, ""},
		{"unknown flag", []string{"web", "--nope"}, nil, 0, false, "flag provided but not defined: -nope"},
		{"missing value", []string{"web", "--lines"}, nil, 0, false, "flag needs an argument: -lines"},
		{"bad value", []string{"--lines", "many"}, nil, 0, false, `invalid value "many" for flag -lines: parse error`},
		{"help", []string{"-h"}, nil, 0, false, "help requested"},
		{"long hostile flag is clipped", []string{"--" + strings.Repeat("\x1b", 200)}, nil, 0, false,
			"flag provided but not defined: -" + strings.Repeat("?", maxReason-len("flag provided but not defined: -")) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlags("t")
			lines := fs.Int("lines", 0, "")
			raw := fs.Bool("raw", false, "")
			pos, err := parseArgs(fs, tt.args)
			if tt.wantErr != "" {
				var u *UsageError
				if !errors.As(err, &u) || err.Error() != tt.wantErr {
					t.Fatalf("got %v; want usage error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v; want no error", err)
			}
			if !slices.Equal(pos, tt.wantPos) || *lines != tt.wantLines || *raw != tt.wantRaw {
				t.Errorf("got %q lines=%d raw=%v; want %q lines=%d raw=%v", pos, *lines, *raw, tt.wantPos, tt.wantLines, tt.wantRaw)
			}
		})
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add("web\x00--lines\x005\x00--raw")
	f.Add("--\x00-x\x00--lines=\x1b[2J")
	f.Add("--lines\x00-1\x00\xff")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		fs := newFlags("t")
		fs.Int("lines", 0, "")
		fs.Bool("raw", false, "")
		fs.String("login", "", "")
		pos, err := parseArgs(fs, args)
		if err != nil {
			var u *UsageError
			if !errors.As(err, &u) {
				t.Fatalf("got %T %v; want *UsageError", err, err)
			}
			msg := err.Error()
			if !utf8.ValidString(msg) || len(msg) > maxReason+len("…") {
				t.Errorf("reason %q: want valid UTF-8 of at most %d bytes", msg, maxReason)
			}
			for _, r := range msg {
				if r < 0x20 || r >= 0x7f && r < 0xa0 {
					t.Errorf("reason %q carries control %U", msg, r)
				}
			}
			return
		}
		if len(pos) > len(args) {
			t.Errorf("got %d positionals from %d args", len(pos), len(args))
		}
		for _, p := range pos {
			if !slices.Contains(args, p) {
				t.Errorf("positional %q is not one of the args %q", p, args)
			}
		}
	})
}

func TestRouterErrorsAreOneLine(t *testing.T) {
	bad := Command{Name: "bad", Run: func(context.Context, Env, []string) error {
		return errors.New("first\nsecond\r\x1b]0;t\x07\u009b")
	}}
	code, _, stderr := run(t, NewRouter(bad), alice, false, "bad")
	if want := "warren: bad: first second ?]0;t??\n"; code != 1 || stderr != want {
		t.Errorf("got %d %q; want 1 %q", code, stderr, want)
	}
}

func TestCRLFWriter(t *testing.T) {
	var b strings.Builder
	w := crlf(&b, true)
	for _, s := range []string{"a\nb", "", "\n\n", "c"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("write %q: got %d, %v", s, n, err)
		}
	}
	if want := "a\r\nb\r\n\r\nc"; b.String() != want {
		t.Errorf("got %q; want %q", b.String(), want)
	}
}
