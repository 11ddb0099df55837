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
