package screen

import "unicode/utf8"

// Parser states, after the DEC ANSI parser (vt100.net/emu/dec_ansi_parser),
// reduced to what a screen model needs.
const (
	stGround   = iota
	stEsc      // after ESC
	stEscInter // ESC and an intermediate byte
	stCSI      // collecting CSI parameters
	stCSIIgnore
	stOSC    // collecting an OSC payload
	stOSCEsc // ESC inside an OSC: a ST follows, or the OSC is abandoned
	stString // DCS, SOS, PM, APC: ignored up to ST
	stStringEsc
)

// parser is the escape sequence state carried across Write calls. Every
// buffer in it is bounded.
type parser struct {
	state   uint8
	private byte // '?', '>', '<' or '=' leading a CSI
	inter   byte // the last intermediate byte (0x20-0x2f), if any
	ninter  int
	params  [maxParams]int32
	colon   [maxParams]bool // params[i] is followed by ':' (a sub-parameter follows)
	nparams int             // parameters started; params past maxParams are dropped
	osc     []byte          // OSC payload, at most maxOSCBytes
	utf8    [utf8.UTFMax]byte
	nutf8   int // bytes of an incomplete UTF-8 sequence held from the last Write
}

func (p *parser) reset() {
	p.state = stGround
	p.nutf8 = 0
	p.osc = p.osc[:0]
}

func (p *parser) startSeq() {
	p.private, p.inter, p.ninter = 0, 0, 0
	p.nparams = 0
	p.params[0], p.colon[0] = 0, false
}

// param returns parameter i, or def if it is missing or zero.
func (p *parser) param(i int, def int) int {
	if i >= p.nparams || i >= maxParams || p.params[i] == 0 {
		return def
	}
	return int(p.params[i])
}

// Write feeds program output into the model. It never fails; sequences
// split across calls are completed by later calls and unknown sequences are
// ignored.
func (s *Screen) Write(b []byte) (int, error) {
	p := &s.p
	i := 0
	if p.nutf8 > 0 && p.state == stGround {
		i = s.finishUTF8(b)
	}
	for i < len(b) {
		c := b[i]
		switch p.state {
		case stGround:
			if c >= 0x20 && c < 0x7f {
				j := i + 1
				for j < len(b) && b[j] >= 0x20 && b[j] < 0x7f {
					j++
				}
				s.printASCII(b[i:j])
				i = j
				continue
			}
			if c < 0x20 || c == 0x7f {
				s.control(c)
				i++
				continue
			}
			if !utf8.FullRune(b[i:]) {
				p.nutf8 = copy(p.utf8[:], b[i:])
				return len(b), nil
			}
			r, n := utf8.DecodeRune(b[i:])
			s.print(r)
			i += n
			continue
		case stOSC:
			// Fast path through the payload.
			j := i
			for j < len(b) && b[j] >= 0x20 {
				j++
			}
			if j > i {
				if room := maxOSCBytes - len(p.osc); room > 0 {
					p.osc = append(p.osc, b[i:i+min(room, j-i)]...)
				}
				i = j
				continue
			}
			switch c {
			case 0x07:
				s.dispatchOSC("\a")
				p.state = stGround
			case 0x1b:
				p.state = stOSCEsc
			case 0x18, 0x1a:
				p.state = stGround
			}
		case stOSCEsc:
			if c == '\\' {
				s.dispatchOSC("\x1b\\")
				p.state = stGround
			} else {
				// An ESC that is not ST abandons the OSC and starts anew.
				p.state = stGround
				s.control(0x1b)
				continue
			}
		case stString:
			switch c {
			case 0x1b:
				p.state = stStringEsc
			case 0x18, 0x1a, 0x07:
				p.state = stGround
			}
		case stStringEsc:
			if c == '\\' {
				p.state = stGround
			} else {
				p.state = stGround
				s.control(0x1b)
				continue
			}
		default:
			if c < 0x20 || c == 0x7f {
				s.control(c)
				i++
				continue
			}
			s.escByte(c)
		}
		i++
	}
	return len(b), nil
}

// finishUTF8 completes a UTF-8 sequence split across Write calls and
// returns how many bytes of b it used.
func (s *Screen) finishUTF8(b []byte) int {
	p := &s.p
	i := 0
	for i < len(b) && p.nutf8 < utf8.UTFMax && b[i]&0xc0 == 0x80 {
		p.utf8[p.nutf8] = b[i]
		p.nutf8++
		i++
		if utf8.FullRune(p.utf8[:p.nutf8]) {
			break
		}
	}
	if !utf8.FullRune(p.utf8[:p.nutf8]) && i == len(b) {
		return i // still incomplete: wait for more
	}
	// As if it had come in one piece: an invalid sequence is one U+FFFD
	// a byte, like DecodeRune steps over it in Write.
	for buf := p.utf8[:p.nutf8]; len(buf) > 0; {
		r, n := utf8.DecodeRune(buf)
		s.print(r)
		buf = buf[n:]
	}
	p.nutf8 = 0
	return i
}

// escByte advances the escape, CSI and ignore states by one byte in
// 0x20-0x7e or 0x80-0xff.
func (s *Screen) escByte(c byte) {
	p := &s.p
	switch p.state {
	case stEsc:
		switch {
		case c >= 0x20 && c <= 0x2f:
			p.inter = c
			p.state = stEscInter
		case c == '[':
			p.startSeq()
			p.state = stCSI
		case c == ']':
			p.osc = p.osc[:0]
			p.state = stOSC
		case c == 'P' || c == 'X' || c == '^' || c == '_':
			p.state = stString
		default:
			p.state = stGround
			s.dispatchEsc(c)
		}
	case stEscInter:
		if c >= 0x20 && c <= 0x2f {
			return // more intermediates: keep the last
		}
		p.state = stGround
		s.dispatchEscInter(p.inter, c)
	case stCSI:
		switch {
		case c >= '0' && c <= '9':
			if p.ninter > 0 {
				p.state = stCSIIgnore
				return
			}
			if p.nparams == 0 {
				p.nparams = 1
			}
			if i := p.nparams - 1; i < maxParams {
				v := p.params[i]*10 + int32(c-'0')
				if v > maxParamValue {
					v = maxParamValue
				}
				p.params[i] = v
			}
		case c == ';' || c == ':':
			if p.ninter > 0 {
				p.state = stCSIIgnore
				return
			}
			if p.nparams == 0 {
				p.nparams = 1
			}
			if i := p.nparams - 1; i < maxParams {
				p.colon[i] = c == ':'
			}
			if p.nparams < maxParams {
				p.params[p.nparams], p.colon[p.nparams] = 0, false
			}
			p.nparams++
		case c >= '<' && c <= '?':
			if p.nparams > 0 || p.private != 0 || p.ninter > 0 {
				p.state = stCSIIgnore
				return
			}
			p.private = c
		case c >= 0x20 && c <= 0x2f:
			p.inter = c
			p.ninter++
		case c >= 0x40 && c <= 0x7e:
			p.state = stGround
			if p.ninter > 1 {
				return
			}
			if s.query != nil && p.csiQuery(c) {
				s.qbuf = p.appendCSI(s.qbuf[:0], c)
				s.query(s.qbuf)
			}
			s.dispatchCSI(c)
		default:
			p.state = stCSIIgnore
		}
	case stCSIIgnore:
		if c >= 0x40 && c <= 0x7e {
			p.state = stGround
		}
	}
}

// control executes a C0 control character in any state but the string
// states.
func (s *Screen) control(c byte) {
	switch c {
	case 0x1b:
		s.p.state = stEsc
		s.p.nutf8 = 0
	case 0x18, 0x1a: // CAN, SUB
		s.p.state = stGround
	case '\b':
		s.backspace()
	case '\t':
		s.tab(1)
	case '\n', '\v', '\f':
		s.linefeed()
	case '\r':
		s.cx, s.wrapPending = 0, false
	case 0x0e: // SO
		s.gl = 1
		s.updateSlow()
	case 0x0f: // SI
		s.gl = 0
		s.updateSlow()
	}
}
