package main

// stripper follows a terminal output stream through its escape sequences so
// that a reader can tell the text a screen shows (an echoed key) from the
// bytes of control sequences around it (tmux redraws, cursor moves).
type stripper struct{ st escState }

type escState uint8

const (
	stGround    escState = iota // text
	stEscape                    // after ESC
	stEscArg                    // ESC ( and friends take one more byte
	stCSI                       // ESC [ … final byte
	stString                    // OSC, DCS, APC, PM, SOS: until BEL or ESC \
	stStringEsc                 // ESC inside a string
)

// text feeds b and reports whether b is printable ASCII text outside any
// escape sequence.
func (s *stripper) text(b byte) bool {
	switch s.st {
	case stGround:
		if b == 0x1b {
			s.st = stEscape
			return false
		}
		return b >= 0x20 && b < 0x7f
	case stEscape:
		switch b {
		case '[':
			s.st = stCSI
		case ']', 'P', '_', '^', 'X':
			s.st = stString
		case '(', ')', '*', '+', '#', '%', ' ':
			s.st = stEscArg
		default:
			s.st = stGround
		}
	case stEscArg:
		s.st = stGround
	case stCSI:
		if b >= 0x40 && b <= 0x7e {
			s.st = stGround
		}
	case stString:
		switch b {
		case 0x07:
			s.st = stGround
		case 0x1b:
			s.st = stStringEsc
		}
	case stStringEsc:
		s.st = stGround // ESC \ ends the string; anything else ends it too
	}
	return false
}
