package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeLogin(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means invalid
	}{
		{name: "plain", in: "alice", want: "alice"},
		{name: "upper case folds", in: "Alice", want: "alice"},
		{name: "digits", in: "a1b2", want: "a1b2"},
		{name: "inner hyphens", in: "a-b-c", want: "a-b-c"},
		{name: "max length", in: strings.Repeat("a", 39), want: strings.Repeat("a", 39)},
		{name: "too long", in: strings.Repeat("a", 40)},
		{name: "10 KB", in: strings.Repeat("a", 10<<10)},
		{name: "empty", in: ""},
		{name: "leading hyphen", in: "-alice"},
		{name: "trailing hyphen", in: "alice-"},
		{name: "double hyphen", in: "a--b"},
		{name: "underscore", in: "a_b"},
		{name: "dot", in: "a.b"},
		{name: "path traversal", in: "../etc"},
		{name: "slash", in: "a/b"},
		{name: "NUL", in: "alice\x00"},
		{name: "newline", in: "alice\n"},
		{name: "space", in: "ali ce"},
		{name: "ANSI escape", in: "\x1b[31malice"},
		{name: "Kelvin sign", in: "\u212aelvin"},
		{name: "non-ASCII letter", in: "ålice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeLogin(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalidLogin) {
					t.Fatalf("NormalizeLogin(%q) error = %v; want ErrInvalidLogin", tt.in, err)
				}
				if len(err.Error()) > 200 {
					t.Errorf("error message is %d bytes; want it truncated", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeLogin(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeLoginQuotesInput(t *testing.T) {
	_, err := NormalizeLogin("bad\nname")
	if err == nil || !strings.Contains(err.Error(), `"bad\nname"`) {
		t.Errorf("got %v; want the input quoted with %%q", err)
	}
}

func FuzzNormalizeLogin(f *testing.F) {
	for _, s := range []string{"alice", "Alice", "a-b", "-a", "a--b", "", "\u212a", strings.Repeat("z", 39)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeLogin(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidLogin) {
				t.Fatalf("error %v does not wrap ErrInvalidLogin", err)
			}
			return
		}
		if len(got) == 0 || len(got) > MaxLoginLen || !loginRE.MatchString(got) {
			t.Fatalf("NormalizeLogin(%q) = %q; not a valid login", s, got)
		}
		if !strings.EqualFold(got, s) {
			t.Fatalf("NormalizeLogin(%q) = %q; not a case fold of the input", s, got)
		}
		again, err := NormalizeLogin(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}
