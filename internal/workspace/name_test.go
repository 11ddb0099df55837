package workspace

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means invalid
	}{
		{"simple", "default", "default"},
		{"case folded", "MyRepo", "myrepo"},
		{"dots dashes underscores", "web-app_2.0", "web-app_2.0"},
		{"max length", strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{"too long", strings.Repeat("a", 65), ""},
		{"empty", "", ""},
		{"dot dot", "..", ""},
		{"traversal", "../x", ""},
		{"inner dot dot", "a..b", ""},
		{"slash", "a/b", ""},
		{"leading slash", "/etc", ""},
		{"backslash", `a\b`, ""},
		{"nul", "a\x00b", ""},
		{"hidden", ".hidden", ""},
		{"leading dash", "-rf", ""},
		{"space", "my repo", ""},
		{"escape", "a\x1b[31m", ""},
		{"percent encoded", "%2e%2e", ""},
		{"unicode lookalike", "dеfault", ""}, // Cyrillic е
		{"fullwidth", "ａ", ""},
		{"zero width", "a\u200bb", ""},
		{"newline", "a\nb", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalidName) {
					t.Errorf("Normalize(%q) = %q, %v; want ErrInvalidName", tt.in, got, err)
				}
				if err != nil && strings.ContainsAny(err.Error(), "\x00\x1b\n") {
					t.Errorf("error carries raw control bytes: %q", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"default", "../x", "a..b", "A", ".x", strings.Repeat("z", 70), "a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Normalize(in)
		if err != nil {
			return
		}
		if strings.ContainsAny(got, "/\\\x00") || strings.Contains(got, "..") || got == "." || len(got) > MaxNameLen {
			t.Fatalf("Normalize(%q) = %q: unsafe name accepted", in, got)
		}
		if again, err := Normalize(got); err != nil || again != got {
			t.Fatalf("Normalize is not idempotent on %q: %q, %v", got, again, err)
		}
	})
}

// A refused name's message says what is wrong and the whole rule, and
// never repeats a name longer than the rule allows.
func TestNameErrorMessage(t *testing.T) {
	const rule = "use a-z, 0-9, '.', '_' and '-', starting with a letter or digit, at most 64 characters"
	tests := []struct {
		name  string
		in    string
		want  string
		short string
	}{
		{"slash", "a/b", `invalid workspace name "a/b": '/' is not allowed; ` + rule, "'/' is not allowed: use a-z, 0-9, '.', '_' and '-'"},
		{"space", "my proj", `invalid workspace name "my proj": spaces are not allowed; ` + rule, "spaces are not allowed: use a-z, 0-9, '.', '_' and '-'"},
		{"escape", "a\x1bb", `invalid workspace name "a\x1bb": '\x1b' is not allowed; ` + rule, `'\x1b' is not allowed: use a-z, 0-9, '.', '_' and '-'`},
		{"non-ascii", "dеfault", `invalid workspace name "dеfault": 'е' is not allowed; ` + rule, "'е' is not allowed: use a-z, 0-9, '.', '_' and '-'"},
		{"hidden", ".hidden", `invalid workspace name ".hidden": it starts with '.'; ` + rule, "start with a letter or digit"},
		{"dot dot", "a..b", `invalid workspace name "a..b": ".." is not allowed; ` + rule, `".." is not allowed`},
		{"empty", "", `invalid workspace name "": it is empty; ` + rule, "type a name"},
		{"too long", strings.Repeat("a", 110), "invalid workspace name (110 characters): " + rule, "at most 64 characters"},
		{"too long upper", strings.Repeat("A", 65), "invalid workspace name (65 characters): " + rule, "at most 64 characters"},
		{"too long and bad", strings.Repeat("/", 200), "invalid workspace name (200 characters): " + rule, "at most 64 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Normalize(tt.in)
			var ne *NameError
			if !errors.As(err, &ne) {
				t.Fatalf("Normalize(%q): got %v; want a *NameError", tt.in, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("message: got %q; want %q", got, tt.want)
			}
			if got := ne.UserMessage(); got != tt.want {
				t.Errorf("user message: got %q; want %q", got, tt.want)
			}
			if got := ne.Short(); got != tt.short {
				t.Errorf("short: got %q; want %q", got, tt.short)
			}
		})
	}
}

func FuzzNameErrorMessage(f *testing.F) {
	for _, s := range []string{"a/b", strings.Repeat("x", 65), "\x1b[31m", ".a", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, err := Normalize(in)
		if err == nil {
			return
		}
		msg := err.Error()
		if !strings.HasSuffix(msg, NameRule) {
			t.Fatalf("message %q does not end with the rule", msg)
		}
		if strings.ContainsAny(msg, "\x00\x1b\n\r") {
			t.Fatalf("message %q carries raw control bytes", msg)
		}
		// Bounded whatever the input: a name is quoted clipped, or not at all.
		if len(msg) > 600 {
			t.Fatalf("message of %d bytes for %d bytes of input", len(msg), len(in))
		}
	})
}
