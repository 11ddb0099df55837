package workspace

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxNameLen is the longest workspace name.
const MaxNameLen = 64

// Default is the workspace an interactive login without a choice lands in.
const Default = "default"

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Normalize case-folds name and validates it: a lower-case letter or digit
// first, then letters, digits, '.', '_' or '-', at most 64 in all, and no
// "..". The error quotes the input safely.
func Normalize(name string) (string, error) {
	n := strings.ToLower(name)
	if len(n) > MaxNameLen || !namePattern.MatchString(n) || strings.Contains(n, "..") {
		return "", fmt.Errorf("%w %s: use a-z, 0-9, '.', '_' and '-', starting with a letter or digit, at most %d characters",
			ErrInvalidName, quote(name), MaxNameLen)
	}
	return n, nil
}

// MaxLoginLen is the longest login, GitHub's limit.
const MaxLoginLen = 39

var loginPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// checkLogin validates a login exactly (no case folding: the caller owns
// the identity and hands it over in its canonical form).
func checkLogin(login string) error {
	if len(login) > MaxLoginLen || !loginPattern.MatchString(login) {
		return fmt.Errorf("%w %s", ErrInvalidLogin, quote(login))
	}
	return nil
}

// quote renders hostile input harmless in messages: Go-quoted, truncated.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Sprintf("%q", s)
}
