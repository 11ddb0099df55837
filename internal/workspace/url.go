package workspace

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// MaxURLLen is the longest clone URL ValidateCloneURL accepts.
const MaxURLLen = 2048

var (
	// helperPattern is git's "<transport>::<address>" remote-helper syntax
	// (ext::, fd::, …): refused whatever the transport.
	helperPattern = regexp.MustCompile(`^[A-Za-z0-9+.-]+::`)
	// scpPattern is the scp-like [user@]host:path form; git reads it so
	// only when no '/' comes before the first ':'.
	scpPattern = regexp.MustCompile(`^(?:([A-Za-z0-9._~+-]+)@)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(.+)$`)
)

// ValidateCloneURL accepts https://, ssh://, git://, file:// and scp-like
// [user@]host:path URLs. It refuses anything git could read as an option
// (a leading '-', also in a host, user or scp path), remote-helper
// transports (ext::, fd::, …), bare local paths, control characters,
// spaces and non-ASCII bytes, and URLs over MaxURLLen bytes. Errors wrap
// ErrInvalidURL and quote the input safely.
func ValidateCloneURL(s string) error {
	bad := func(why string) error {
		return &userError{err: ErrInvalidURL, msg: fmt.Sprintf("%v %s: %s", ErrInvalidURL, quote(s), why)}
	}
	switch {
	case s == "":
		return bad("empty")
	case len(s) > MaxURLLen:
		return bad(fmt.Sprintf("longer than %d bytes", MaxURLLen))
	case s[0] == '-':
		return bad("must not start with '-'")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return bad("only printable ASCII, no spaces")
		}
	}
	if helperPattern.MatchString(s) {
		return bad("remote-helper transports (<transport>::<address>) are not allowed")
	}
	if scheme, _, ok := strings.Cut(s, "://"); ok {
		if why := checkSchemeURL(scheme, s); why != "" {
			return bad(why)
		}
		return nil
	}
	m := scpPattern.FindStringSubmatch(s)
	if m == nil {
		return bad("use https://, ssh://, git://, file:// or user@host:path")
	}
	if user, host, path := m[1], m[2], m[3]; user != "" && user[0] == '-' || host[0] == '-' || path[0] == '-' {
		return bad("user, host and path must not start with '-'")
	}
	return nil
}

// checkSchemeURL returns why a scheme://… URL is refused, or "".
func checkSchemeURL(scheme, s string) string {
	switch scheme {
	case "https", "ssh", "git", "file":
	default:
		return "scheme must be https, ssh, git or file"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "does not parse"
	}
	if scheme == "file" {
		if u.Host != "" && u.Host != "localhost" {
			return "file URLs take no host"
		}
		if u.Path == "" || u.Path == "/" {
			return "file URL without a path"
		}
		return ""
	}
	if u.Hostname() == "" {
		return "no host"
	}
	if u.Hostname()[0] == '-' || u.User != nil && strings.HasPrefix(u.User.Username(), "-") {
		return "host and user must not start with '-'"
	}
	return ""
}

// NameFromURL suggests a workspace name for a clone URL, as git names the
// directory it clones into: the last element of the path, without a
// trailing "/" or ".git". The result is case-folded, characters Normalize
// refuses become '-', and it is cut to MaxNameLen:
// "git@github.com:me/My.Repo.git" gives "my.repo", "https://h/a/My%20Repo/"
// "my-repo". It returns "" when the URL holds nothing usable (no path).
// Every name it returns passes Normalize unchanged.
func NameFromURL(rawURL string) string {
	p := rawURL
	if _, rest, ok := strings.Cut(rawURL, "://"); ok {
		u, err := url.Parse(rawURL)
		if err != nil {
			// Unparseable: take what follows the host, undecoded.
			_, p, _ = strings.Cut(rest, "/")
		} else {
			p = u.Path
		}
	} else if m := scpPattern.FindStringSubmatch(rawURL); m != nil {
		p = m[3]
	}
	p = strings.TrimRight(p, "/")
	p = strings.TrimSuffix(p, "/.git")
	if len(p) > 4 && strings.EqualFold(p[len(p)-4:], ".git") {
		p = p[:len(p)-4]
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(p) {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_') {
			r = '-' // runs of anything else become one '-'
		}
		if r != '-' || !strings.HasSuffix(b.String(), "-") {
			b.WriteRune(r)
		}
	}
	n := b.String()
	for strings.Contains(n, "..") {
		n = strings.ReplaceAll(n, "..", ".")
	}
	n = strings.TrimLeft(n, "._-")
	if len(n) > MaxNameLen {
		n = n[:MaxNameLen]
	}
	n = strings.TrimRight(n, "-")
	if got, err := Normalize(n); err != nil || got != n {
		return ""
	}
	return n
}
