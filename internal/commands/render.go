package commands

import (
	"io"
	"sync"
	"unicode/utf8"
)

// parseState is where a stripper is in a terminal byte stream.
type parseState uint8

const (
	stGround   parseState = iota
	stEsc                 // after ESC
	stEscInter            // ESC and intermediate bytes, before the final byte
	stCSI                 // control sequence: parameters and intermediates
	stString              // DCS, SOS, PM or APC: until ST
	stOSC                 // operating system command: until ST or BEL
	stShift               // after SS2 or SS3: the next character is dropped
)

// stripper removes terminal escape sequences (CSI, OSC, DCS, SOS, PM, APC,
// SS2/SS3, two- and three-byte ESC sequences, and their 8-bit C1 forms)
// and control characters from a byte stream. It hands on printable runes
// and the controls '\n' (also for VT and FF), '\r', '\b' and '\t'. Invalid
// UTF-8 comes out as U+FFFD. Its output does not depend on how the stream
// is cut into writes.
type stripper struct {
	state parseState
	// the UTF-8 decoder: need continuation bytes are still expected for
	// acc, which must come out at least min.
	acc  rune
	need int
	min  rune
	emit func(rune)
	// text gets runs of printable ASCII, a fast path for emit.
	text func([]byte)
}

// write feeds p.
func (s *stripper) write(p []byte) {
	for i := 0; i < len(p); {
		if s.state == stGround && s.need == 0 {
			j := i
			for j < len(p) && p[j] >= 0x20 && p[j] < 0x7f {
				j++
			}
			if j > i {
				s.text(p[i:j])
				i = j
				continue
			}
		}
		b := p[i]
		i++
		if s.need > 0 {
			if b&0xc0 == 0x80 {
				s.acc = s.acc<<6 | rune(b&0x3f)
				if s.need--; s.need == 0 {
					r := s.acc
					if r < s.min || r > utf8.MaxRune || r >= 0xd800 && r <= 0xdfff {
						r = utf8.RuneError
					}
					s.rune(r)
				}
				continue
			}
			s.need = 0
			s.rune(utf8.RuneError)
		}
		switch {
		case b < 0x80:
			s.rune(rune(b))
		case b&0xe0 == 0xc0:
			s.acc, s.need, s.min = rune(b&0x1f), 1, 0x80
		case b&0xf0 == 0xe0:
			s.acc, s.need, s.min = rune(b&0x0f), 2, 0x800
		case b&0xf8 == 0xf0:
			s.acc, s.need, s.min = rune(b&0x07), 3, 0x10000
		default:
			s.rune(utf8.RuneError)
		}
	}
}

// flush ends the stream: a truncated UTF-8 sequence comes out as U+FFFD.
func (s *stripper) flush() {
	if s.need > 0 {
		s.need = 0
		s.rune(utf8.RuneError)
	}
}

func (s *stripper) rune(r rune) {
	switch s.state {
	case stGround:
		s.ground(r)
	case stEsc:
		switch {
		case r == '[':
			s.state = stCSI
		case r == ']':
			s.state = stOSC
		case r == 'P', r == 'X', r == '^', r == '_':
			s.state = stString
		case r == 'N', r == 'O':
			s.state = stShift
		case r >= 0x20 && r <= 0x2f:
			s.state = stEscInter
		case r >= 0x30 && r <= 0x7e:
			s.state = stGround
		default:
			s.inSequence(r)
		}
	case stEscInter:
		switch {
		case r >= 0x20 && r <= 0x2f:
		case r >= 0x30 && r <= 0x7e:
			s.state = stGround
		default:
			s.inSequence(r)
		}
	case stCSI:
		switch {
		case r >= 0x20 && r <= 0x3f:
		case r >= 0x40 && r <= 0x7e:
			s.state = stGround
		default:
			s.inSequence(r)
		}
	case stOSC, stString:
		switch {
		case r == 0x1b:
			s.state = stEsc // ESC \ (ST) ends the string; any ESC does
		case r == 0x07 && s.state == stOSC, r == 0x9c, r == 0x18, r == 0x1a:
			s.state = stGround
		}
	case stShift:
		s.state = stGround
		if r < 0x20 || r >= 0x7f && r < 0xa0 {
			s.ground(r) // a control is no shifted character
		}
	}
}

// inSequence handles a rune that does not belong to the syntax of the
// escape or control sequence in progress.
func (s *stripper) inSequence(r rune) {
	switch {
	case r == 0x1b:
		s.state = stEsc
	case r == 0x18, r == 0x1a: // CAN, SUB cancel the sequence
		s.state = stGround
	case r == 0x7f:
	case r < 0x20: // C0 controls act inside sequences too
		s.ground(r)
	default: // malformed: abandon the sequence
		s.state = stGround
		s.ground(r)
	}
}

func (s *stripper) ground(r rune) {
	switch {
	case r == 0x1b:
		s.state = stEsc
	case r == '\n', r == '\v', r == '\f':
		s.emit('\n')
	case r == '\r', r == '\b', r == '\t':
		s.emit(r)
	case r < 0x20, r == 0x7f:
	case r >= 0x80 && r < 0xa0: // C1
		switch r {
		case 0x9b:
			s.state = stCSI
		case 0x9d:
			s.state = stOSC
		case 0x90, 0x98, 0x9e, 0x9f:
			s.state = stString
		case 0x8e, 0x8f:
			s.state = stShift
		}
	default:
		s.emit(r)
	}
}

// lineRing keeps the last max lines, and no more than budget bytes of them.
type lineRing struct {
	lines   []string
	start   int
	n       int
	bytes   int
	budget  int
	trimmed bool // lines were dropped for the byte budget
}

func newLineRing(max, budget int) *lineRing {
	return &lineRing{lines: make([]string, max), budget: budget}
}

func (r *lineRing) push(b []byte) {
	for r.n > 0 && (r.n == len(r.lines) || r.bytes+len(b) > r.budget) {
		if r.n < len(r.lines) {
			r.trimmed = true
		}
		r.bytes -= len(r.lines[r.start])
		r.lines[r.start] = ""
		r.start = (r.start + 1) % len(r.lines)
		r.n--
	}
	r.lines[(r.start+r.n)%len(r.lines)] = string(b)
	r.n++
	r.bytes += len(b)
}

// each calls fn with the lines, oldest first, until fn fails.
func (r *lineRing) each(fn func(string) error) error {
	for i := 0; i < r.n; i++ {
		if err := fn(r.lines[(r.start+i)%len(r.lines)]); err != nil {
			return err
		}
	}
	return nil
}

// cleanWriter passes text on with escape sequences and control characters
// removed, keeping '\r', '\n' and '\t' so that progress lines (git's
// "Receiving objects: 42%\r") still update in place. It is safe for
// concurrent use.
type cleanWriter struct {
	mu sync.Mutex
	// mu guards the following.
	w   io.Writer
	s   stripper
	buf []byte
}

func newCleanWriter(w io.Writer) *cleanWriter {
	c := &cleanWriter{w: w}
	c.s.emit = func(r rune) {
		if r != '\b' {
			c.buf = utf8.AppendRune(c.buf, r)
		}
	}
	c.s.text = func(b []byte) { c.buf = append(c.buf, b...) }
	return c
}

func (c *cleanWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = c.buf[:0]
	c.s.write(p)
	if len(c.buf) == 0 {
		return len(p), nil
	}
	if _, err := c.w.Write(c.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
