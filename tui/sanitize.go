package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

const esc = 0x1b

// Sanitize makes untrusted text safe to put on a terminal. It removes
//
//   - escape sequences: ESC + CSI (ESC[6n, SGR…), OSC (OSC 52 clipboard,
//     OSC 8 links, titles), DCS, SOS, PM and APC strings, including
//     unterminated ones (which swallow the rest of s), and two- and
//     three-byte escapes such as ESC c (reset) and ESC ( B;
//   - C1 controls U+0080–U+009F, and raw bytes 0x80–0x9F, which 8-bit
//     terminals read as C1 (CSI 0x9b, OSC 0x9d… start sequences as above);
//   - C0 controls and DEL (tab, newline and carriage return become a space);
//   - bidi controls U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069;
//   - zero-width and invisible characters U+200B–U+200D, U+2060–U+2064,
//     U+FEFF.
//
// Other invalid UTF-8 becomes U+FFFD. The result is valid UTF-8 and
// Sanitize(Sanitize(s)) == Sanitize(s). Measure widths after sanitising.
func Sanitize(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			c := s[i]
			if c >= 0x80 && c <= 0x9f {
				i = skipC1(s, i+1, rune(c))
			} else {
				b.WriteRune(utf8.RuneError)
				i++
			}
			continue
		}
		switch {
		case r == esc:
			i = skipEscape(s, i+1)
		case r >= 0x80 && r <= 0x9f:
			i = skipC1(s, i+size, r)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
			i += size
		case r < 0x20 || r == 0x7f || invisible(r):
			i += size
		default:
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
}

// isClean reports whether s needs no sanitising: the common case, without
// allocating.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return isCleanSlow(s[i:])
		}
	}
	return true
}

func isCleanSlow(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || (r >= 0x7f && r <= 0x9f) || invisible(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// invisible reports bidi controls and zero-width characters.
func invisible(r rune) bool {
	switch {
	case r == 0x061c, r == 0xfeff:
		return true
	case r >= 0x200b && r <= 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2060 && r <= 0x2069:
		return true
	}
	return false
}

// skipEscape skips the sequence whose ESC was just before s[i] and returns
// the index after it.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1, c == ']')
	case c >= 0x20 && c <= 0x2f: // intermediates, then one final byte
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e: // ESC c, ESC 7, ESC M…
		return i + 1
	}
	// ESC followed by a control or a non-ASCII byte: drop the ESC alone.
	return i
}

// skipC1 skips the sequence a C1 control r introduced; s[i] follows it.
func skipC1(s string, i int, r rune) int {
	switch r {
	case 0x9b: // CSI
		return skipCSI(s, i)
	case 0x9d: // OSC
		return skipString(s, i, true)
	case 0x90, 0x98, 0x9e, 0x9f: // DCS, SOS, PM, APC
		return skipString(s, i, false)
	}
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte. A
// control byte ends the sequence early; it is then handled on its own.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		case c >= 0x20 && c <= 0x3f:
			i++
		default:
			return i
		}
	}
	return i
}

// skipString skips a control string up to and including its terminator:
// ST (ESC \ or C1 0x9c), BEL for OSC, or CAN/SUB. An ESC not followed by \
// ends the string and starts a new sequence. Unterminated strings run to the
// end of s.
func skipString(s string, i int, bel bool) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c == 0x07 && bel, c == 0x18, c == 0x1a, c == 0x9c:
			return i + 1
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		case c == esc:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		}
		i++
	}
	return i
}

// clip sanitises s and truncates it to width display columns, ending in "…"
// when it was cut.
func clip(s string, width int) string {
	return truncate(Sanitize(s), width)
}

// truncate cuts clean text to width display columns with a "…" tail.
func truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// oneLine sanitises a possibly multi-line message into one line with single
// spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(Sanitize(s)), " ")
}
