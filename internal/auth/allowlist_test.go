package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseAllowlist(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // "login" or "login:admin", comma separated, sorted
		errLine int    // >0: parse must fail naming this line
	}{
		{name: "empty", in: "", want: ""},
		{name: "comments and blanks", in: "# team\n\n   \n# more\n", want: ""},
		{name: "one login", in: "alice\n", want: "alice"},
		{name: "admin", in: "alice admin\nbob\n", want: "alice:admin,bob"},
		{name: "trailing comment", in: "alice # the lead\nbob admin # ops\n", want: "alice,bob:admin"},
		{name: "comment glued to login", in: "alice#lead\n", want: "alice"},
		{name: "CRLF", in: "alice admin\r\nbob\r\n", want: "alice:admin,bob"},
		{name: "case folded", in: "Alice\nBOB admin\n", want: "alice,bob:admin"},
		{name: "duplicate keeps admin", in: "alice admin\nalice\n", want: "alice:admin"},
		{name: "tabs and indentation", in: "\t alice \t admin \n", want: "alice:admin"},
		{name: "invalid login", in: "alice\nbad_name\n", errLine: 2},
		{name: "unknown second word", in: "alice\n\nbob root\n", errLine: 3},
		{name: "upper-case ADMIN is not admin", in: "alice ADMIN\n", errLine: 1},
		{name: "three words", in: "alice admin extra\n", errLine: 1},
		{name: "half-written line", in: "alice\nbo", want: "alice,bo"},
		{name: "half-written admin", in: "alice\nbob adm", errLine: 2},
		{name: "path", in: "../root\n", errLine: 1},
		{name: "NUL", in: "alice\x00\n", errLine: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseAllowlist([]byte(tt.in))
			if tt.errLine > 0 {
				if !errors.Is(err, ErrInvalidAllowlist) {
					t.Fatalf("got error %v; want ErrInvalidAllowlist", err)
				}
				if want := fmt.Sprintf("line %d:", tt.errLine); !strings.Contains(err.Error(), want) {
					t.Errorf("got error %q; want it to name %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(l); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// describe renders l as "login[:admin],…" in Logins order.
func describe(l Allowlist) string {
	var parts []string
	for _, login := range l.Logins() {
		e, ok := l.Lookup(login)
		if !ok || e.Login != login {
			return fmt.Sprintf("Lookup(%q) = %+v, %v", login, e, ok)
		}
		if e.Admin {
			login += ":admin"
		}
		parts = append(parts, login)
	}
	if len(parts) != l.Len() {
		return fmt.Sprintf("Len() = %d with %d logins", l.Len(), len(parts))
	}
	return strings.Join(parts, ",")
}

func TestAllowlistFromList(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    string
		wantErr bool
	}{
		{name: "nil", in: nil, want: ""},
		{name: "logins", in: []string{"bob", "Alice"}, want: "alice,bob"},
		{name: "empty items ignored", in: []string{"alice", "", " "}, want: "alice"},
		{name: "spaces trimmed", in: []string{" alice "}, want: "alice"},
		{name: "invalid", in: []string{"alice", "a b"}, wantErr: true},
		{name: "admin word is not a login modifier", in: []string{"alice admin"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := AllowlistFromList(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidAllowlist) || !errors.Is(err, ErrInvalidLogin) {
					t.Fatalf("got error %v; want ErrInvalidAllowlist and ErrInvalidLogin", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(l); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestMergeAllowlists(t *testing.T) {
	cli, err := AllowlistFromList([]string{"alice", "bob"})
	if err != nil {
		t.Fatal(err)
	}
	file, err := ParseAllowlist([]byte("bob admin\ncarol\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describe(MergeAllowlists(cli, file)), "alice,bob:admin,carol"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if got, want := describe(cli), "alice,bob"; got != want {
		t.Errorf("merge changed its input: got %q; want %q", got, want)
	}
	if got, want := describe(MergeAllowlists(Allowlist{}, Allowlist{})), ""; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestAllowlistLookupNormalises(t *testing.T) {
	l, err := ParseAllowlist([]byte("alice admin\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{name: "exact", in: "alice", ok: true},
		{name: "upper case", in: "ALICE", ok: true},
		{name: "other", in: "bob"},
		{name: "invalid", in: "alice\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := l.Lookup(tt.in)
			if ok != tt.ok {
				t.Fatalf("Lookup(%q) ok = %v; want %v", tt.in, ok, tt.ok)
			}
			if ok && (e.Login != "alice" || !e.Admin) {
				t.Errorf("got %+v; want alice admin", e)
			}
		})
	}
}

func FuzzParseAllowlist(f *testing.F) {
	for _, s := range []string{"alice\nbob admin\n", "# c\r\nalice # x\r\n", "a b c", "Alice admin", "bad_name"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseAllowlist(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidAllowlist) || !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error %q does not wrap ErrInvalidAllowlist with a line number", err)
			}
			if l.Len() != 0 {
				t.Fatalf("failed parse returned %d logins", l.Len())
			}
			return
		}
		logins := l.Logins()
		if len(logins) != l.Len() {
			t.Fatalf("Logins() has %d; Len() = %d", len(logins), l.Len())
		}
		for _, login := range logins {
			if n, err := NormalizeLogin(login); err != nil || n != login {
				t.Fatalf("allowlist holds unnormalised login %q", login)
			}
			if !strings.Contains(strings.ToLower(string(data)), login) {
				t.Fatalf("login %q is not in the input", login)
			}
		}
	})
}
