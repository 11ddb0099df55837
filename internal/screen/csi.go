package screen

import "strconv"

// dispatchCSI executes a complete CSI sequence with final byte f.
func (s *Screen) dispatchCSI(f byte) {
	p := &s.p
	if p.private != 0 || p.ninter != 0 {
		s.dispatchCSIPrivate(f)
		return
	}
	n := p.param(0, 1)
	switch f {
	case '@': // ICH
		s.wrapPending = false
		s.insertCells(n)
	case 'A': // CUU
		s.cursorUp(n)
	case 'B', 'e': // CUD, VPR
		s.cursorDown(n)
	case 'C', 'a': // CUF, HPR
		s.moveTo(s.cx+n, s.cy)
	case 'D': // CUB
		s.moveTo(s.cx-n, s.cy)
	case 'E': // CNL
		s.cursorDown(n)
		s.cx = 0
	case 'F': // CPL
		s.cursorUp(n)
		s.cx = 0
	case 'G', '`': // CHA, HPA
		s.moveTo(n-1, s.cy)
	case 'H', 'f': // CUP, HVP
		s.cursorPosition(p.param(1, 1)-1, n-1)
	case 'd': // VPA
		s.cursorPosition(s.cx, n-1)
	case 'I': // CHT
		s.tab(n)
	case 'Z': // CBT
		s.tab(-n)
	case 'J': // ED
		s.eraseDisplay(p.param(0, 0))
	case 'K': // EL
		s.eraseLine(p.param(0, 0))
	case 'X': // ECH
		s.eraseCells(s.cy, s.cx, s.cx+n)
	case 'L': // IL
		s.insertLines(n)
	case 'M': // DL
		s.deleteLines(n)
	case 'P': // DCH
		s.wrapPending = false
		s.deleteCells(n)
	case 'S': // SU
		s.scrollUp(s.top, s.bottom, n)
	case 'T': // SD (with more than one parameter it is mouse tracking)
		if p.nparams <= 1 {
			s.scrollDown(s.top, s.bottom, n)
		}
	case 'b': // REP
		if s.lastRune != 0 {
			for range min(n, s.cols*s.rows) {
				s.print(s.lastRune)
			}
		}
	case 'c': // DA1
		if p.param(0, 0) == 0 {
			s.answer("\x1b[?1;2c")
		}
	case 'n': // DSR
		switch p.param(0, 0) {
		case 5:
			s.answer("\x1b[0n")
		case 6:
			y := s.cy
			if s.m.origin {
				y -= s.top
			}
			s.answer("\x1b[" + strconv.Itoa(y+1) + ";" + strconv.Itoa(s.cx+1) + "R")
		}
	case 'g': // TBC
		switch p.param(0, 0) {
		case 0:
			s.tabs[s.cx] = false
		case 3:
			clear(s.tabs)
		}
	case 'h', 'l':
		for i := range min(max(p.nparams, 1), maxParams) {
			s.setANSIMode(int(p.params[i]), f == 'h')
		}
	case 'm':
		s.sgr()
	case 'r': // DECSTBM
		top, bottom := p.param(0, 1)-1, p.param(1, s.rows)-1
		bottom = min(bottom, s.rows-1)
		if top < bottom {
			s.top, s.bottom = top, bottom
			s.cursorPosition(0, 0)
		}
	case 's': // SCOSC
		s.saveCursor()
	case 'u': // SCORC
		s.restoreCursor()
	}
}

// dispatchCSIPrivate handles CSI sequences with a private marker or an
// intermediate byte.
func (s *Screen) dispatchCSIPrivate(f byte) {
	p := &s.p
	switch {
	case p.private == '?' && p.ninter == 0 && (f == 'h' || f == 'l'):
		for i := range min(max(p.nparams, 1), maxParams) {
			s.setDECMode(int(p.params[i]), f == 'h')
		}
	case p.private == '?' && p.ninter == 0 && f == 'J': // DECSED
		s.eraseDisplay(p.param(0, 0))
	case p.private == '?' && p.ninter == 0 && f == 'K': // DECSEL
		s.eraseLine(p.param(0, 0))
	case p.private == 0 && p.inter == ' ' && f == 'q': // DECSCUSR
		s.m.cursorStyle = min(p.param(0, 0), 6)
	case p.private == 0 && p.inter == '!' && f == 'p': // DECSTR
		s.softReset()
	case p.private == '>' && p.ninter == 0 && f == 'm': // XTMODKEYS
		if p.param(0, 0) == 4 {
			s.m.modifyKeys = min(p.param(1, 0), 3)
		}
	case p.ninter == 0 && f == 'u':
		s.kittyKeyboard(p.private)
	}
}

// kittyKeyboard handles the kitty keyboard protocol's push (CSI > flags u),
// pop (CSI < n u) and set (CSI = flags ; mode u). Queries (CSI ? u) are
// left to the client.
func (s *Screen) kittyKeyboard(private byte) {
	p := &s.p
	const allFlags = 31
	switch private {
	case '>':
		if len(s.kittyStack) == maxKittyStack {
			s.kittyStack = append(s.kittyStack[:0], s.kittyStack[1:]...)
		}
		s.kittyStack = append(s.kittyStack, s.m.kittyKeys)
		s.m.kittyKeys = p.param(0, 0) & allFlags
	case '<':
		n := p.param(0, 1)
		if n >= len(s.kittyStack) {
			s.kittyStack = s.kittyStack[:0]
			s.m.kittyKeys = 0
			return
		}
		s.m.kittyKeys = s.kittyStack[len(s.kittyStack)-n]
		s.kittyStack = s.kittyStack[:len(s.kittyStack)-n]
	case '=':
		flags := p.param(0, 0) & allFlags
		switch p.param(1, 1) {
		case 1:
			s.m.kittyKeys = flags
		case 2:
			s.m.kittyKeys |= flags
		case 3:
			s.m.kittyKeys &^= flags
		}
	}
}

// cursorPosition moves to (x, y), relative to the scroll region and
// confined to it in origin mode.
func (s *Screen) cursorPosition(x, y int) {
	if s.m.origin {
		s.moveTo(x, clamp(y+s.top, s.top, s.bottom))
		return
	}
	s.moveTo(x, y)
}

func (s *Screen) answer(reply string) {
	if s.reply != nil {
		s.reply([]byte(reply))
	}
}

func (s *Screen) setANSIMode(mode int, on bool) {
	switch mode {
	case 4:
		s.m.insert = on
		s.updateSlow()
	case 20:
		s.m.newline = on
	}
}

func (s *Screen) setDECMode(mode int, on bool) {
	switch mode {
	case 1:
		s.m.appCursor = on
	case 5:
		s.m.reverseVideo = on
	case 6:
		s.m.origin = on
		s.cursorPosition(0, 0)
	case 7:
		s.m.autowrap = on
	case 25:
		s.m.cursorHidden = !on
	case 9, 1000, 1002, 1003:
		if on {
			s.m.mouse = mode
		} else if s.m.mouse == mode || mode != 9 {
			s.m.mouse = 0
		}
	case 1004:
		s.m.focus = on
	case 1005:
		s.m.mouseUTF8 = on
	case 1006:
		s.m.mouseSGR = on
	case 1015:
		s.m.mouseURXVT = on
	case 2004:
		s.m.bracketedPaste = on
	case 47, 1047:
		s.switchScreen(on, false)
	case 1049:
		s.switchScreen(on, true)
	case 1048:
		if on {
			s.saveCursor()
		} else {
			s.restoreCursor()
		}
	}
}

// switchScreen enters or leaves the alternate screen. The alternate screen
// always starts blank, as in tmux; with cursor (1049) the main screen's
// cursor is saved on entry and restored on exit.
func (s *Screen) switchScreen(on, cursor bool) {
	if on == s.altActive {
		return
	}
	if on {
		if cursor {
			s.saveCursor()
		}
		s.cur, s.altActive = &s.alt, true
		if s.alt.rows == nil {
			s.alt.rows = newRows(s.cols, s.rows)
		}
		for _, r := range s.alt.rows {
			fill(r, blank(0))
		}
		s.alt.saved = savedCursor{}
		return
	}
	s.cur, s.altActive = &s.main, false
	if cursor {
		s.restoreCursor()
	}
}

func (s *Screen) saveCursor() {
	s.cur.saved = savedCursor{
		valid: true, x: s.cx, y: s.cy, wrapPending: s.wrapPending,
		pen: s.pen, origin: s.m.origin, charsets: s.charsets, gl: s.gl,
	}
}

// restoreCursor is DECRC; with nothing saved it homes the cursor and
// resets the pen, as xterm does.
func (s *Screen) restoreCursor() {
	sv := s.cur.saved
	s.moveTo(sv.x, sv.y)
	s.wrapPending = sv.wrapPending && s.cx == s.cols-1
	s.pen, s.m.origin, s.charsets, s.gl = sv.pen, sv.origin, sv.charsets, sv.gl
	s.updateSlow()
}

// softReset is DECSTR.
func (s *Screen) softReset() {
	s.m.insert, s.m.origin, s.m.autowrap = false, false, true
	s.m.cursorHidden, s.m.appCursor, s.m.appKeypad = false, false, false
	s.top, s.bottom = 0, s.rows-1
	s.pen = style{}
	s.charsets, s.gl = [2]bool{}, 0
	s.main.saved, s.alt.saved = savedCursor{}, savedCursor{}
	s.m.modifyKeys = 0
	s.updateSlow()
}

// dispatchEsc executes ESC followed by final byte f.
func (s *Screen) dispatchEsc(f byte) {
	switch f {
	case '7':
		s.saveCursor()
	case '8':
		s.restoreCursor()
	case 'D': // IND
		s.wrapPending = false
		s.index()
	case 'E': // NEL
		s.wrapPending = false
		s.index()
		s.cx = 0
	case 'M': // RI
		s.reverseIndex()
	case 'H': // HTS
		s.tabs[s.cx] = true
	case 'c': // RIS
		s.reset()
	case '=':
		s.m.appKeypad = true
	case '>':
		s.m.appKeypad = false
	}
}

// dispatchEscInter executes ESC, an intermediate byte and final byte f.
func (s *Screen) dispatchEscInter(inter, f byte) {
	switch inter {
	case '(', ')': // designate G0, G1
		s.charsets[inter-'('] = f == '0'
		s.updateSlow()
	case '#':
		if f == '8' { // DECALN
			for _, r := range s.cur.rows {
				fill(r, cell{r: 'E', width: 1})
			}
			s.top, s.bottom = 0, s.rows-1
			s.moveTo(0, 0)
		}
	}
}

// dispatchOSC handles a complete OSC payload ended by st: only titles are
// kept, and queries passed on.
func (s *Screen) dispatchOSC(st string) {
	b := s.p.osc
	s.p.osc = b[:0]
	if s.query != nil && oscQuery(b) {
		q := append(s.qbuf[:0], "\x1b]"...)
		q = append(append(q, b...), st...)
		s.qbuf = q
		s.query(q)
	}
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' && i < 4 {
		i++
	}
	if i == 0 || i >= len(b) || b[i] != ';' {
		return
	}
	switch string(b[:i]) {
	case "0", "2":
		s.title = sanitizeTitle(b[i+1:])
	}
}

// sanitizeTitle drops control characters and invalid UTF-8 and caps the
// length, so the title is safe to show anywhere.
func sanitizeTitle(b []byte) string {
	out := make([]byte, 0, min(len(b), maxTitleBytes))
	for _, r := range string(b) {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xfffd {
			continue
		}
		if len(out)+len(string(r)) > maxTitleBytes {
			break
		}
		out = appendRune(out, r)
	}
	return string(out)
}
