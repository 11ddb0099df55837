package commands

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Output conventions shared by the commands: text output is one record per
// line, fields separated by tabs, untrusted fields passed through field,
// times in RFC 3339 (UTC), "-" for an empty field. --json output is one JSON
// value (an array or an object) on one line, with snake_case field names
// and null for unknown times.

// field makes an untrusted string safe as one tab-separated field: control
// characters (C0 including tab and newline, DEL, C1), bidirectional
// overrides and invalid UTF-8 become '?'. An empty string becomes "-".
func field(s string) string {
	if s == "" {
		return "-"
	}
	return replaceUnsafe(s, func(rune) rune { return '?' })
}

// oneLine makes an error message safe to print as one line: tabs and line
// breaks become spaces, other control characters '?'.
func oneLine(s string) string {
	return replaceUnsafe(s, func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return '?'
	})
}

// replaceUnsafe returns s with every unsafe rune (see field) replaced by
// repl's choice.
func replaceUnsafe(s string, repl func(rune) rune) string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) {
			var b strings.Builder
			b.Grow(len(s))
			b.WriteString(s[:i])
			for i < len(s) {
				r, n := utf8.DecodeRuneInString(s[i:])
				if unsafeRune(r, n) {
					b.WriteRune(repl(r))
				} else {
					b.WriteString(s[i : i+n])
				}
				i += n
			}
			return b.String()
		}
		i += n
	}
	return s
}

// unsafeRune reports whether the rune r, n bytes long in its string, may not
// reach a terminal as it is.
func unsafeRune(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1: // invalid UTF-8
		return true
	case r < 0x20, r >= 0x7f && r < 0xa0: // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi overrides
		return true
	}
	return false
}

// textTime formats t for text output.
func textTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// jsonTime is a time in JSON output: RFC 3339 in UTC, or null when zero.
type jsonTime time.Time

// MarshalJSON implements json.Marshaler.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(tt.UTC().Format(time.RFC3339))
}

// writeJSON writes v as one line of JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table writes tab-separated records to a buffer; flush writes them out.
type table struct{ w *bufio.Writer }

func newTable(w io.Writer) *table { return &table{w: bufio.NewWriter(w)} }

// row writes one record; every field is passed through field.
func (t *table) row(fields ...string) {
	for i, f := range fields {
		if i > 0 {
			t.w.WriteByte('\t')
		}
		t.w.WriteString(field(f))
	}
	t.w.WriteByte('\n')
}

func (t *table) flush() error { return t.w.Flush() }

// stdout is env.Stdout, with "\n" written as "\r\n" when the client has a
// PTY (the server writes to the channel directly: no line discipline
// translates for it).
func stdout(env Env) io.Writer { return crlf(env.Stdout, env.PTY) }

// stderr is env.Stderr, translated like stdout.
func stderr(env Env) io.Writer { return crlf(env.Stderr, env.PTY) }

func crlf(w io.Writer, pty bool) io.Writer {
	if !pty {
		return w
	}
	return &crlfWriter{w: w}
}

// crlfWriter writes each "\n" as "\r\n", one Write per Write.
type crlfWriter struct {
	w   io.Writer
	buf []byte
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	if bytes.IndexByte(p, '\n') < 0 {
		return c.w.Write(p)
	}
	c.buf = c.buf[:0]
	for _, b := range p {
		if b == '\n' {
			c.buf = append(c.buf, '\r')
		}
		c.buf = append(c.buf, b)
	}
	if _, err := c.w.Write(c.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// newFlags returns a flag set that reports errors instead of printing them.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// maxReason bounds the length of a usage reason quoting user input.
const maxReason = 120

// parseArgs parses args into fs, allowing flags before, between and after
// the positional arguments ("--" ends the flags), and returns the
// positionals. Errors are *UsageError with a one-line reason.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, Usagef("help requested")
			}
			msg := oneLine(err.Error())
			if len(msg) > maxReason {
				msg = strings.ToValidUTF8(msg[:maxReason], "") + "…"
			}
			return nil, Usagef("%s", msg)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// quote quotes untrusted input for a message, clipped and escaped.
func quote(s string) string {
	if len(s) > 64 {
		s = strings.ToValidUTF8(s[:64], "") + "…"
	}
	return oneLine(s)
}

// isFlagSet reports whether the flag name was given on the command line.
func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
