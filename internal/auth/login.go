package auth

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxLoginLen is the longest GitHub login.
const MaxLoginLen = 39

// loginRE is GitHub's login rule: alphanumerics and single inner hyphens.
var loginRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// NormalizeLogin lower-cases s and checks that it is a valid GitHub login:
// `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 39 characters. The error wraps
// ErrInvalidLogin and quotes (a truncated copy of) the input.
func NormalizeLogin(s string) (string, error) {
	if len(s) == 0 || len(s) > MaxLoginLen {
		return "", fmt.Errorf("normalize login %s: %w", quoteTrunc(s), ErrInvalidLogin)
	}
	l := strings.ToLower(s)
	// ToLower of non-ASCII input can change the length (or map e.g. the
	// Kelvin sign to 'k'); only ASCII input may pass.
	if len(l) != len(s) || !isASCII(s) || !loginRE.MatchString(l) {
		return "", fmt.Errorf("normalize login %s: %w", quoteTrunc(s), ErrInvalidLogin)
	}
	return l, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// quoteTrunc quotes s for an error or log message, cutting it to a length
// that cannot flood a log line.
func quoteTrunc(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q…(%d bytes)", s[:max], len(s))
	}
	return fmt.Sprintf("%q", s)
}
