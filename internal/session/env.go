package session

import (
	"strings"
	"unicode/utf8"
)

const (
	defaultTerm = "xterm-256color"
	defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// localeNames are copied from the server environment when set.
var localeNames = []string{
	"LANG", "LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_MESSAGES", "LC_MONETARY",
	"LC_NUMERIC", "LC_TIME", "LC_PAPER", "LC_NAME", "LC_ADDRESS",
	"LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION",
}

// validTerm returns term if it matches ^[A-Za-z0-9.+_-]{1,64}$ and
// xterm-256color otherwise: TERM comes from the client and ends up in the
// program's environment and terminfo lookups.
func validTerm(term string) string {
	if len(term) == 0 || len(term) > 64 {
		return defaultTerm
	}
	for i := 0; i < len(term); i++ {
		c := term[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '+' || c == '_' || c == '-'
		if !ok {
			return defaultTerm
		}
	}
	return term
}

// defaults are variables every program gets unless the operator passes the
// same name through (EnvNames) and the server has it set: then the
// server's value wins. PATH is a standard one, never the server's own,
// which may name directories a login cannot read (/root/...). Claude's
// auto-updater is off: a session cannot update the installed program, and
// each try ended in "Auto-update failed" on its screen.
var defaults = []struct{ name, value string }{
	{"PATH", defaultPath},
	{"DISABLE_AUTOUPDATER", "1"},
}

// buildEnv builds the program's environment from scratch: TERM, HOME,
// USER, LOGNAME, SHELL, locale, the configured pass-through names, then
// the defaults not passed through. Nothing else of the server's
// environment leaks. SHELL is /bin/sh here; Options.Confine sets the
// login's own.
func buildEnv(getenv func(string) (string, bool), names []string, login, home, term string) []string {
	env := make([]string, 0, 8+len(names)+len(defaults))
	set := make(map[string]bool)
	add := func(k, v string) {
		if set[k] {
			return
		}
		set[k] = true
		env = append(env, k+"="+v)
	}
	add("TERM", validTerm(term))
	if home != "" {
		add("HOME", home)
	}
	add("USER", login)
	add("LOGNAME", login)
	add("SHELL", "/bin/sh")
	for _, k := range localeNames {
		if v, ok := getenv(k); ok {
			add(k, v)
		}
	}
	for _, k := range names {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			continue
		}
		if v, ok := getenv(k); ok {
			add(k, v)
		}
	}
	for _, d := range defaults {
		add(d.name, d.value)
	}
	return env
}

// expandArgs returns argv followed by extra, with "{session}" replaced by id
// in the extra arguments.
func expandArgs(argv, extra []string, id string) []string {
	out := make([]string, 0, len(argv)+len(extra))
	out = append(out, argv...)
	for _, a := range extra {
		out = append(out, strings.ReplaceAll(a, "{session}", id))
	}
	return out
}

// sanitize replaces control characters (C0, DEL, C1 and invalid UTF-8) so
// that a name can be printed into a client's terminal.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}
