package auth

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Entry is one allowlisted login.
type Entry struct {
	Login string // normalised
	Admin bool
}

// Allowlist is an immutable set of allowlisted logins. The zero value is
// empty and ready to use. Copying an Allowlist is cheap and safe: nothing
// ever mutates the map after construction.
type Allowlist struct {
	entries map[string]Entry
}

// Lookup reports the entry for login. login is normalised first, so
// "Alice" finds "alice"; an invalid login finds nothing.
func (l Allowlist) Lookup(login string) (Entry, bool) {
	if e, ok := l.entries[login]; ok { // fast path: already normalised
		return e, true
	}
	n, err := NormalizeLogin(login)
	if err != nil {
		return Entry{}, false
	}
	e, ok := l.entries[n]
	return e, ok
}

// Logins returns the allowlisted logins, sorted.
func (l Allowlist) Logins() []string {
	return slices.Sorted(maps.Keys(l.entries))
}

// Len returns the number of allowlisted logins.
func (l Allowlist) Len() int { return len(l.entries) }

// equal reports whether l and o hold the same entries.
func (l Allowlist) equal(o Allowlist) bool {
	return maps.Equal(l.entries, o.entries)
}

// ParseAllowlist parses an --allow-file: one login per line, optionally
// followed by the word "admin"; '#' starts a comment (full-line or
// trailing); blank lines and CRLF are fine. Parsing is strict: any bad
// line fails the whole parse with an error naming its line number, so a
// half-written file never replaces a good allowlist. A login listed twice
// is an admin if any of its lines says so.
func ParseAllowlist(data []byte) (Allowlist, error) {
	entries := make(map[string]Entry)
	for n, raw := range strings.Split(string(data), "\n") {
		line := raw
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		login, err := NormalizeLogin(fields[0])
		if err != nil {
			return Allowlist{}, fmt.Errorf("parse allowlist: line %d: %w: %w", n+1, ErrInvalidAllowlist, err)
		}
		admin := false
		switch {
		case len(fields) == 1:
		case len(fields) == 2 && fields[1] == "admin":
			admin = true
		default:
			return Allowlist{}, fmt.Errorf("parse allowlist: line %d: %w: want \"LOGIN [admin]\", got %s",
				n+1, ErrInvalidAllowlist, quoteTrunc(strings.TrimSpace(line)))
		}
		e := entries[login]
		entries[login] = Entry{Login: login, Admin: e.Admin || admin}
	}
	return Allowlist{entries: entries}, nil
}

// AllowlistFromList builds a non-admin allowlist from --allow's logins.
// Empty items (as in "a,,b" or a trailing comma) are ignored; an invalid
// login fails the whole list.
func AllowlistFromList(logins []string) (Allowlist, error) {
	entries := make(map[string]Entry, len(logins))
	for _, s := range logins {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		login, err := NormalizeLogin(s)
		if err != nil {
			return Allowlist{}, fmt.Errorf("parse allow list: %w: %w", ErrInvalidAllowlist, err)
		}
		entries[login] = Entry{Login: login}
	}
	return Allowlist{entries: entries}, nil
}

// MergeAllowlists returns the union of the --allow list and the
// --allow-file allowlist. For a login in both, the file's admin flag wins.
func MergeAllowlists(cli, file Allowlist) Allowlist {
	entries := make(map[string]Entry, len(cli.entries)+len(file.entries))
	maps.Copy(entries, cli.entries)
	maps.Copy(entries, file.entries)
	return Allowlist{entries: entries}
}

// with returns a copy of l with e added, unless e.Login is already listed.
func (l Allowlist) with(e Entry) Allowlist {
	if _, ok := l.entries[e.Login]; ok {
		return l
	}
	entries := maps.Clone(l.entries)
	if entries == nil {
		entries = make(map[string]Entry, 1)
	}
	entries[e.Login] = e
	return Allowlist{entries: entries}
}
