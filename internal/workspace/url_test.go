package workspace

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateCloneURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
		ok   bool
	}{
		{"https", "https://github.com/warren-ssh/warren.git", true},
		{"https with port and query", "https://git.example.com:8443/a/b?x=1", true},
		{"ssh", "ssh://git@github.com/warren-ssh/warren.git", true},
		{"ssh port", "ssh://git@example.com:2222/r.git", true},
		{"ssh ipv6", "ssh://git@[::1]/r.git", true},
		{"git", "git://example.com/r.git", true},
		{"file", "file:///srv/git/r.git", true},
		{"file localhost", "file://localhost/srv/r.git", true},
		{"scp-like", "git@github.com:warren-ssh/warren.git", true},
		{"scp-like no user", "example.com:r.git", true},
		{"scp-like ipv6", "git@[::1]:r.git", true},
		{"max length", "https://e.com/" + strings.Repeat("a", MaxURLLen-len("https://e.com/")), true},

		{"empty", "", false},
		{"too long", "https://e.com/" + strings.Repeat("a", MaxURLLen), false},
		{"option", "--upload-pack=touch /tmp/x", false},
		{"dash", "-", false},
		{"ext", "ext::sh -c touch% /tmp/pwned", false},
		{"ext no space", "ext::sh", false},
		{"fd", "fd::17", false},
		{"helper https", "https::example.com/r", false},
		{"http plain", "http://example.com/r.git", false},
		{"upper scheme", "HTTPS://example.com/r.git", false},
		{"ftp", "ftp://example.com/r.git", false},
		{"no scheme local", "/srv/git/r.git", false},
		{"relative local", "../r.git", false},
		{"dot", ".", false},
		{"space", "https://example.com/a b", false},
		{"tab", "https://example.com/a\tb", false},
		{"newline", "https://example.com/a\nb", false},
		{"nul", "https://example.com/\x00", false},
		{"escape", "https://example.com/\x1b[31m", false},
		{"del", "https://example.com/\x7f", false},
		{"non-ascii", "https://exämple.com/r", false},
		{"bidi", "https://example.com/\u202er", false},
		{"ssh host option", "ssh://-oProxyCommand=touch%20x/r", false},
		{"ssh user option", "ssh://-oProxyCommand=x@host/r", false},
		{"scp host option", "-oProxyCommand=x:r", false},
		{"scp user option", "git@-oProxyCommand:r", false},
		{"scp path option", "git@host:-r", false},
		{"scp empty path", "git@host:", false},
		{"no host", "https:///r.git", false},
		{"file with host", "file://evil.example.com/r.git", false},
		{"file no path", "file://", false},
		{"file root", "file:///", false},
		{"bad port", "ssh://host:port/r", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateCloneURL(tt.url)
			if tt.ok && err != nil {
				t.Errorf("ValidateCloneURL(%q) = %v; want nil", tt.url, err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidURL) {
				t.Errorf("ValidateCloneURL(%q) = %v; want ErrInvalidURL", tt.url, err)
			}
			if err != nil && (strings.ContainsAny(err.Error(), "\x00\x1b\n\t\x7f") || len(err.Error()) > 300) {
				t.Errorf("error carries raw input: %q", err)
			}
		})
	}
}

func FuzzValidateCloneURL(f *testing.F) {
	for _, s := range []string{
		"https://github.com/a/b.git", "ssh://git@h:22/r", "git://h/r", "file:///r", "git@h:r",
		"ext::sh", "fd::3", "-x", "h:-r", "ssh://[::1]/r", "a b", "\x1b", strings.Repeat("h", 3000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateCloneURL(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidURL) {
				t.Fatalf("ValidateCloneURL(%q) = %v; not ErrInvalidURL", s, err)
			}
			return
		}
		if s == "" || len(s) > MaxURLLen || s[0] == '-' {
			t.Fatalf("ValidateCloneURL(%q) accepted an empty, long or option-like URL", s)
		}
		for i := 0; i < len(s); i++ {
			if s[i] <= ' ' || s[i] >= 0x7f {
				t.Fatalf("ValidateCloneURL(%q) accepted byte %#x", s, s[i])
			}
		}
		if i := strings.Index(s, "::"); i >= 0 && !strings.ContainsAny(s[:i], "/:[@") {
			t.Fatalf("ValidateCloneURL(%q) accepted a remote-helper transport", s)
		}
		if scheme, _, ok := strings.Cut(s, "://"); ok {
			switch scheme {
			case "https", "ssh", "git", "file":
			default:
				t.Fatalf("ValidateCloneURL(%q) accepted scheme %q", s, scheme)
			}
			return
		}
		colon := strings.IndexByte(s, ':')
		if colon < 1 || colon+1 >= len(s) || strings.Contains(s[:colon], "/") || s[colon+1] == '-' {
			t.Fatalf("ValidateCloneURL(%q) accepted something that is not scp-like", s)
		}
	})
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name   string
		out    string
		branch string
		dirty  bool
	}{
		{"clean", "# branch.oid 0123abcd\n# branch.head main\n# branch.upstream origin/main\n# branch.ab +0 -0\n", "main", false},
		{"modified", "# branch.oid 0123\n# branch.head dev\n1 .M N... 100644 100644 100644 a b README\n", "dev", true},
		{"untracked", "# branch.head main\n? new.txt\n", "main", true},
		{"ignored only", "# branch.head main\n! build/\n", "main", true},
		{"detached", "# branch.oid 0123\n# branch.head (detached)\n", "", false},
		{"initial", "# branch.oid (initial)\n# branch.head main\n", "main", false},
		{"slash branch", "# branch.head feature/x-1\n", "feature/x-1", false},
		{"hostile branch", "# branch.head a\x1b[31mb\n", "", false},
		{"no trailing newline", "# branch.head main\n? x", "main", true},
		{"empty", "", "", false},
		{"crlf", "# branch.head main\r\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			branch, dirty := parseStatus([]byte(tt.out))
			if branch != tt.branch || dirty != tt.dirty {
				t.Errorf("parseStatus: got %q, %v; want %q, %v", branch, dirty, tt.branch, tt.dirty)
			}
		})
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("# branch.head main\n? x\n"))
	f.Add([]byte("# branch.head (detached)\n"))
	f.Add([]byte("# branch.head \xff\x1b\n1 M"))
	f.Fuzz(func(t *testing.T, out []byte) {
		branch, _ := parseStatus(out)
		if branch != "" && branch != cleanBranch(branch) {
			t.Fatalf("parseStatus(%q) gave unclean branch %q", out, branch)
		}
		if strings.ContainsAny(branch, "\x00\x1b\n\r\t \x7f\\") || strings.Contains(branch, "..") {
			t.Fatalf("parseStatus(%q) gave hostile branch %q", out, branch)
		}
	})
}

func TestNameFromURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"https", "https://github.com/warren-ssh/warren.git", "warren"},
		{"https no suffix", "https://github.com/warren-ssh/warren", "warren"},
		{"trailing slash", "https://github.com/me/repo/", "repo"},
		{"trailing .git slash", "https://github.com/me/repo.git/", "repo"},
		{"slash .git", "https://example.com/repo/.git", "repo"},
		{"upper .GIT", "https://example.com/Repo.GIT", "repo"},
		{"scp", "git@github.com:me/My.Repo.git", "my.repo"},
		{"scp no dir", "example.com:repo.git", "repo"},
		{"ssh port", "ssh://git@example.com:2222/team/api.git", "api"},
		{"git", "git://127.0.0.1:9418/Other_Thing.git/", "other_thing"},
		{"file", "file:///srv/git/tools.git", "tools"},
		{"query and fragment", "https://example.com/a/repo.git?ref=x#y", "repo"},
		{"escaped space", "https://example.com/a/My%20Repo", "my-repo"},
		{"odd characters", "https://example.com/a/b@c+d~e", "b-c-d-e"},
		{"leading dot", "https://example.com/.dotfiles.git", "dotfiles"},
		{"dot dot", "https://example.com/a..b", "a.b"},
		{"long", "https://example.com/" + strings.Repeat("x", 100), strings.Repeat("x", 64)},
		{"long ends in dash", "https://example.com/" + strings.Repeat("x", 63) + "-yy", strings.Repeat("x", 63)},
		{"no path", "git://127.0.0.1:9418/", ""},
		{"host only", "https://example.com", ""},
		{"only punctuation", "https://example.com/---.git", ""},
		{"only .git", "https://example.com/.git", ""},
		{"not a URL", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NameFromURL(tt.url); got != tt.want {
				t.Errorf("NameFromURL(%q) = %q; want %q", tt.url, got, tt.want)
			}
		})
	}
}

func FuzzNameFromURL(f *testing.F) {
	for _, s := range []string{"https://github.com/a/b.git", "git@h:x/Y.git", "git://h:1/", "https://h/%2e%2e", "file:///a/b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		n := NameFromURL(u)
		if n == "" {
			return
		}
		if got, err := Normalize(n); err != nil || got != n {
			t.Fatalf("NameFromURL(%q) = %q, which Normalize gives as %q, %v", u, n, got, err)
		}
	})
}
