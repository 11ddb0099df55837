package workspace

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxNameLen is the longest workspace name.
const MaxNameLen = 64

// Default is the workspace an interactive login without a choice lands in.
const Default = "default"

// NameRule says in words what Normalize accepts (after case folding).
var NameRule = fmt.Sprintf("use a-z, 0-9, '.', '_' and '-', starting with a letter or digit, at most %d characters", MaxNameLen)

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Normalize case-folds name and validates it: a lower-case letter or digit
// first, then letters, digits, '.', '_' or '-', at most 64 in all, and no
// "..". Upper-case letters are folded, not refused: "MyRepo" is "myrepo".
// A refused name is a *NameError.
func Normalize(name string) (string, error) {
	n := strings.ToLower(name)
	if len(n) <= MaxNameLen && namePattern.MatchString(n) && !strings.Contains(n, "..") {
		return n, nil
	}
	problem, short := nameProblem(n)
	return "", &NameError{Name: name, Problem: problem, short: short}
}

// nameProblem says what is wrong with the case-folded name n, which
// Normalize refuses, in a clause for the whole message and in a short form
// for a field that already shows the name. The problem is "" when the
// length is what is wrong.
func nameProblem(n string) (problem, short string) {
	const chars = "use a-z, 0-9, '.', '_' and '-'"
	if utf8.RuneCountInString(n) > MaxNameLen {
		return "", fmt.Sprintf("at most %d characters", MaxNameLen)
	}
	if n == "" {
		return "it is empty", "type a name"
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			p := fmt.Sprintf("%s is not allowed", quoteRune(r))
			if r == ' ' {
				p = "spaces are not allowed"
			}
			return p, p + ": " + chars
		}
	}
	if c := n[0]; c == '.' || c == '_' || c == '-' {
		return fmt.Sprintf("it starts with '%c'", c), "start with a letter or digit"
	}
	if strings.Contains(n, "..") {
		return `".." is not allowed`, `".." is not allowed`
	}
	// Only more bytes than characters are left, which the loop above
	// already refuses (non-ASCII).
	return "it is not allowed", chars
}

// quoteRune shows r as '/' or, when it is not printable as it is, as Go
// would escape it ('\x1b', '\u200b').
func quoteRune(r rune) string {
	if r == utf8.RuneError {
		return "invalid UTF-8"
	}
	q := fmt.Sprintf("%q", r)
	if r > 0x7e || r < 0x20 {
		return q
	}
	return "'" + string(r) + "'"
}

// NameError is a workspace name Normalize refuses. Its message names the
// problem and states the whole rule in one line, and never repeats a name
// longer than the rule allows.
type NameError struct {
	Name    string // as given: untrusted
	Problem string // what is wrong ("'/' is not allowed"); "" when it is too long
	short   string
}

func (e *NameError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalidName.Error())
	if e.Problem == "" {
		fmt.Fprintf(&b, " (%d characters)", utf8.RuneCountInString(e.Name))
	} else {
		b.WriteString(" " + quoteName(e.Name))
	}
	b.WriteString(": ")
	if e.Problem != "" {
		b.WriteString(e.Problem + "; ")
	}
	b.WriteString(NameRule)
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalidName) hold.
func (e *NameError) Unwrap() error { return ErrInvalidName }

// UserMessage is the message for the user: the whole of Error.
func (e *NameError) UserMessage() string { return e.Error() }

// Short is the problem alone, for a field that already shows the name:
// "'/' is not allowed: use a-z, 0-9, '.', '_' and '-'".
func (e *NameError) Short() string {
	if e.short == "" {
		return e.Error()
	}
	return e.short
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

// quoteName quotes a name of at most MaxNameLen characters for a message,
// cut at 40 so that escaped control characters cannot make it long.
func quoteName(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// quote renders hostile input harmless in messages: Go-quoted, truncated.
func quote(s string) string {
	if len(s) > 80 {
		s = strings.ToValidUTF8(s[:80], "") + "…"
	}
	return fmt.Sprintf("%q", s)
}
