package session

import (
	"bytes"
	"strconv"
)

// keyEncodings returns the escape sequences a terminal sends for the
// control key b once a program turned on an extended keyboard protocol
// (Claude Code does): kitty's CSI u, with and without an event type, and
// xterm's modifyOtherKeys. press holds the forms that mean "pressed",
// release the forms that mean "released".
func keyEncodings(b byte) (press, release [][]byte) {
	var code int
	switch {
	case b >= 0x01 && b <= 0x1a:
		code = int('a' + b - 1)
	case b == 0x1c:
		code = '\\'
	case b == 0x1d:
		code = ']'
	case b == 0x1e:
		code = '^'
	case b == 0x1f:
		code = '_'
	default:
		return nil, nil
	}
	c := strconv.Itoa(code)
	press = [][]byte{
		[]byte("\x1b[" + c + ";5u"),
		[]byte("\x1b[" + c + ";5:1u"),
		[]byte("\x1b[" + c + ";5:2u"), // repeat
		[]byte("\x1b[27;5;" + c + "~"),
	}
	release = [][]byte{[]byte("\x1b[" + c + ";5:3u")}
	return press, release
}

// plainKey rewrites the extended encodings of the detach key in p to the
// plain control byte, and drops its release events, so that the detach key
// works whatever keyboard protocol the program asked the terminal for.
func plainKey(p []byte, key byte, press, release [][]byte) []byte {
	if bytes.IndexByte(p, 0x1b) < 0 {
		return p
	}
	for _, r := range release {
		p = bytes.ReplaceAll(p, r, nil)
	}
	for _, e := range press {
		p = bytes.ReplaceAll(p, e, []byte{key})
	}
	return p
}

// keySplit is what splitDetach makes of one input chunk.
type keySplit struct {
	send    []byte // bytes for the program
	detach  bool   // the detach key was pressed once
	rest    []byte // bytes after the detach key, for whoever owns the terminal next
	pending bool   // the chunk ended in a lone detach key: wait for the next chunk
}

// splitDetach applies the detach key to one chunk of input. pending says the
// previous chunk ended in a lone key. The key pressed twice in a row, in one
// chunk or across two, sends one key through; pressed once, it detaches and
// the bytes after it are handed back. A key at the very end of a chunk is
// pending: the caller waits a short while for the next chunk before it
// detaches.
func splitDetach(p []byte, key byte, pending bool) keySplit {
	i := 0
	var out []byte
	if pending {
		if len(p) == 0 || p[0] != key {
			return keySplit{detach: true, rest: p}
		}
		out = append(out, key)
		i = 1
	}
	j := bytes.IndexByte(p[i:], key)
	if j < 0 {
		if out == nil {
			return keySplit{send: p[i:]}
		}
		return keySplit{send: append(out, p[i:]...)}
	}
	for ; i < len(p); i++ {
		if p[i] != key {
			out = append(out, p[i])
			continue
		}
		switch {
		case i+1 == len(p):
			return keySplit{send: out, pending: true}
		case p[i+1] == key:
			out = append(out, key)
			i++
		default:
			return keySplit{send: out, detach: true, rest: p[i+1:]}
		}
	}
	return keySplit{send: out}
}

// filterState carries dropReplies across chunks.
type filterState struct {
	// inString: inside a reply string (OSC or DCS) being dropped, waiting
	// for its terminator.
	inString bool
	// dropped counts the bytes of that string, to give up on a runaway.
	dropped int
	// esc: the last dropped byte was ESC, which may begin the ST.
	esc bool
}

// maxReplyString bounds how far an unterminated OSC/DCS reply is dropped
// into following chunks; past it the filter gives up and passes bytes on.
const maxReplyString = 4096

// dropReplies removes terminal replies from one chunk of a client's input:
// cursor position reports (CSI r;c R, CSI ? r;c;p R), device attributes
// (CSI ? … c, CSI > … c, CSI = … c), mode reports (CSI ? … $ y), status
// reports (CSI … n), window reports (CSI … t), keyboard flags (CSI ? … u),
// colour replies (OSC 4/10–19/52 … BEL|ST) and DCS replies (DECRQSS
// "1$r"/"0$r", XTGETTCAP "1+r"/"0+r", XTVERSION ">|", DECRPTUI "!|" … ST).
// Only clients that do not own the session pass through it, so each query
// of the program is answered once.
//
// Limits: a CSI reply split across chunks is passed through (holding back a
// trailing ESC would delay the Escape key); an OSC or DCS reply is
// recognised only once its introducer and number are in one chunk, and is
// then dropped across chunks up to maxReplyString bytes. CSI 1;5R is both a
// cursor report and Ctrl-F3 in xterm's encoding: a non-owner's Ctrl-F3 is
// dropped.
func dropReplies(p []byte, st filterState) ([]byte, filterState) {
	out := make([]byte, 0, len(p))
	i := 0
	if st.inString {
		end, ok := stringEnd(p, 0)
		if st.esc && len(p) > 0 && p[0] == '\\' {
			end, ok = 1, true
		}
		if !ok {
			st.dropped += len(p)
			if st.dropped > maxReplyString {
				return append(out, p...), filterState{}
			}
			st.esc = len(p) > 0 && p[len(p)-1] == 0x1b || len(p) == 0 && st.esc
			return out, st
		}
		i = end
		st = filterState{}
	}
	for i < len(p) {
		if p[i] != 0x1b || i+1 >= len(p) {
			out = append(out, p[i])
			i++
			continue
		}
		switch p[i+1] {
		case '[':
			if n := csiReply(p[i:]); n > 0 {
				i += n
				continue
			}
		case ']':
			if isOSCReply(p[i+2:]) {
				end, ok := stringEnd(p, i+2)
				if !ok {
					return out, filterState{inString: true, dropped: len(p) - i, esc: p[len(p)-1] == 0x1b}
				}
				i = end
				continue
			}
		case 'P':
			if isDCSReply(p[i+2:]) {
				end, ok := stringEnd(p, i+2)
				if !ok {
					return out, filterState{inString: true, dropped: len(p) - i, esc: p[len(p)-1] == 0x1b}
				}
				i = end
				continue
			}
		}
		out = append(out, p[i])
		i++
	}
	return out, st
}

// csiReply returns the length of the CSI reply at the start of p (which
// begins with ESC [), or 0 if it is not a complete reply.
func csiReply(p []byte) int {
	j := 2
	for j < len(p) && p[j] >= 0x30 && p[j] <= 0x3f { // parameters
		j++
	}
	params := p[2:j]
	k := j
	for k < len(p) && p[k] >= 0x20 && p[k] <= 0x2f { // intermediates
		k++
	}
	inter := p[j:k]
	if k >= len(p) || p[k] < 0x40 || p[k] > 0x7e {
		return 0
	}
	final := p[k]
	private := len(params) > 0 && (params[0] == '?' || params[0] == '>' || params[0] == '=')
	digits := len(params) > 0 && params[0] >= '0' && params[0] <= '9'
	reply := false
	switch {
	case final == 'R' && len(inter) == 0:
		reply = (digits || len(params) > 1 && params[0] == '?') && bytes.IndexByte(params, ';') > 0
	case final == 'c' && len(inter) == 0:
		reply = private
	case final == 'y' && string(inter) == "$":
		reply = true
	case final == 'n' && len(inter) == 0:
		reply = digits || private
	case final == 't' && len(inter) == 0:
		reply = digits
	case final == 'u' && len(inter) == 0:
		reply = len(params) > 0 && params[0] == '?'
	}
	if !reply {
		return 0
	}
	return k + 1
}

// isOSCReply reports whether p (after ESC ]) starts a colour or clipboard
// reply: a number in 4, 10–19 or 52 followed by ';'.
func isOSCReply(p []byte) bool {
	j := 0
	for j < len(p) && j < 3 && p[j] >= '0' && p[j] <= '9' {
		j++
	}
	if j == 0 || j >= len(p) || p[j] != ';' {
		return false
	}
	switch n := string(p[:j]); {
	case n == "4", n == "52", len(n) == 2 && n[0] == '1':
		return true
	}
	return false
}

// isDCSReply reports whether p (after ESC P) starts a known DCS reply.
func isDCSReply(p []byte) bool {
	for _, pre := range []string{"1$r", "0$r", "1+r", "0+r", ">|", "!|"} {
		if bytes.HasPrefix(p, []byte(pre)) {
			return true
		}
	}
	return false
}

// stringEnd finds the end of an OSC/DCS string starting at i: the index
// after its BEL or ST (ESC \), and whether it was found.
func stringEnd(p []byte, i int) (int, bool) {
	for ; i < len(p); i++ {
		switch {
		case p[i] == 0x07:
			return i + 1, true
		case p[i] == 0x1b && i+1 < len(p) && p[i+1] == '\\':
			return i + 2, true
		}
	}
	return i, false
}
