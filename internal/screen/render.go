package screen

import (
	"slices"
	"strconv"
)

// appendCells appends the characters of cells with the SGR changes needed
// from *pen, which it updates. Wide-character continuations are skipped.
func appendCells(dst []byte, cells []cell, pen *style, s *Screen) []byte {
	for i := 0; i < len(cells); i++ {
		c := &cells[i]
		if c.width == 0 {
			continue
		}
		if c.style == *pen && isPlainASCII(c) {
			// A run of plain ASCII in the current pen, the bulk of most
			// lines: one byte per cell, with no SGR to compare again.
			j := i + 1
			for j < len(cells) && cells[j].style == *pen && isPlainASCII(&cells[j]) {
				j++
			}
			at := len(dst)
			dst = slices.Grow(dst, j-i)[:at+j-i]
			for k, c := range cells[i:j] {
				dst[at+k] = byte(c.r)
			}
			i = j - 1
			continue
		}
		if c.style != *pen {
			dst = appendSGR(dst, *pen, c.style)
			*pen = c.style
		}
		switch {
		case c.r < 0x80 && c.r >= 0x20:
			dst = append(dst, byte(c.r))
		case c.r == 0:
			dst = append(dst, ' ')
		default:
			dst = appendRune(dst, c.r)
		}
		if c.comb != 0 {
			dst = append(dst, s.combBytes(c)...)
		}
	}
	return dst
}

// isPlainASCII reports whether c is a printable ASCII character of width 1
// with no combining marks.
func isPlainASCII(c *cell) bool {
	return c.r >= 0x20 && c.r < 0x7f && c.width == 1 && c.comb == 0
}

func appendCUP(dst []byte, x, y int) []byte {
	dst = append(dst, "\x1b["...)
	dst = strconv.AppendInt(dst, int64(y+1), 10)
	dst = append(dst, ';')
	dst = strconv.AppendInt(dst, int64(x+1), 10)
	return append(dst, 'H')
}

func appendMode(dst []byte, private bool, mode int, on bool) []byte {
	dst = append(dst, "\x1b["...)
	if private {
		dst = append(dst, '?')
	}
	dst = strconv.AppendInt(dst, int64(mode), 10)
	if on {
		return append(dst, 'h')
	}
	return append(dst, 'l')
}

// appendGrid paints every row of g. The client must have autowrap off and
// the scroll region, origin mode and insert mode reset; *pen tracks the
// client's SGR pen.
func (s *Screen) appendGrid(dst []byte, g *grid, pen *style) []byte {
	for y, row := range g.rows {
		dst = appendCUP(dst, 0, y)
		// A trailing run of erased cells is cleared with EL in their colour.
		end := len(row)
		bg := row[end-1].style.bg
		for end > 0 && row[end-1].isBlank(bg) {
			end--
		}
		dst = appendCells(dst, row[:end], pen, s)
		if end < len(row) {
			if to := (style{bg: bg}); *pen != to {
				dst = appendSGR(dst, *pen, to)
				*pen = to
			}
			dst = append(dst, "\x1b[K"...)
		}
	}
	return dst
}

// appendCursorState moves the client's cursor to (x, y) with pending wrap
// and pen as given. A pending wrap is recreated by rewriting the last
// character of the row with autowrap on. The client's rows count from
// top (the region's top in origin mode, else 0).
func (s *Screen) appendCursorState(dst []byte, g *grid, x, y, top int, wrapPending bool, pen *style, want style) []byte {
	if wrapPending && x == s.cols-1 {
		row := g.rows[y]
		start := x
		if row[x].width == 0 && x > 0 {
			start = x - 1
		}
		dst = append(dst, "\x1b[?7h"...)
		dst = appendCUP(dst, start, y-top)
		dst = appendCells(dst, row[start:], pen, s)
	} else {
		dst = appendCUP(dst, x, y-top)
	}
	if *pen != want {
		dst = appendSGR(dst, *pen, want)
		*pen = want
	}
	return dst
}

// AppendRepaint appends bytes that turn any prior state of a terminal of
// the same size into this screen: modes, title, the main screen, then (if
// active) the alternate screen over it, the scroll region, cursor, pen and
// wrap and origin modes. The client's own scrollback is not touched.
func (s *Screen) AppendRepaint(dst []byte) []byte {
	m := &s.m
	// Synchronized output (2026) lets a terminal that knows it show the
	// repaint at once; others ignore it.
	dst = append(dst, "\x1b[?2026h"+resetState...)
	// Tab stops.
	dst = append(dst, "\x1b[3g"...)
	for x, t := range s.tabs {
		if t {
			dst = appendCUP(dst, x, 0)
			dst = append(dst, "\x1bH"...)
		}
	}
	dst = s.appendModes(dst)

	pen := style{}
	dst = s.appendGrid(dst, &s.main, &pen)
	if s.altActive {
		// The main screen's saved cursor, then switch: a program leaving the
		// alternate screen later finds the main screen and cursor intact.
		sv := s.main.saved
		dst = s.appendCursorState(dst, &s.main, sv.x, sv.y, 0, sv.wrapPending, &pen, sv.pen)
		dst = append(dst, "\x1b7"...)
		dst = append(dst, "\x1b[?7l\x1b[?1049h"...)
		pen = style{}
		dst = append(dst, "\x1b[0m"...)
		dst = s.appendGrid(dst, &s.alt, &pen)
	}
	// The saved cursor (DECSC); with none saved, DECRC homes the cursor
	// with the default pen, so save exactly that.
	sv := s.cur.saved
	dst = s.appendCursorState(dst, s.cur, sv.x, sv.y, 0, sv.wrapPending, &pen, sv.pen)
	dst = append(dst, "\x1b7"...)
	if s.top != 0 || s.bottom != s.rows-1 {
		dst = append(dst, "\x1b["...)
		dst = strconv.AppendInt(dst, int64(s.top+1), 10)
		dst = append(dst, ';')
		dst = strconv.AppendInt(dst, int64(s.bottom+1), 10)
		dst = append(dst, 'r')
	}
	if m.origin {
		// DECOM first: it homes the cursor, and positions become relative
		// to the region.
		dst = append(dst, "\x1b[?6h"...)
	}
	top := 0
	if m.origin {
		top = s.top
	}
	dst = s.appendCursorState(dst, s.cur, s.cx, s.cy, top, s.wrapPending, &pen, s.pen)
	dst = appendMode(dst, true, 7, m.autowrap)
	if m.insert {
		dst = append(dst, "\x1b[4h"...)
	}
	if m.newline {
		dst = append(dst, "\x1b[20h"...)
	}
	if s.charsets[0] {
		dst = append(dst, "\x1b(0"...)
	}
	if s.charsets[1] {
		dst = append(dst, "\x1b)0"...)
	}
	if s.gl == 1 {
		dst = append(dst, 0x0e)
	}
	if !m.cursorHidden {
		dst = append(dst, "\x1b[?25h"...)
	}
	return append(dst, "\x1b[?2026l"...)
}

// resetState leaves whatever state a client was in: alternate screen,
// scroll region, origin, insert, charsets, pen; it hides the cursor and
// turns autowrap off so that painting the last cell never scrolls.
const resetState = "\x1b[?1049l\x1b[!p\x1b[?25l\x1b[0m\x1b[r\x1b[?6l\x1b[4l\x1b[20l\x1b[?7l\x1b(B\x1b)B\x0f"

// appendModes appends the input and reporting modes, the keyboard
// protocols, the cursor style and the title.
func (s *Screen) appendModes(dst []byte) []byte {
	m := &s.m
	dst = appendMode(dst, true, 1, m.appCursor)
	if m.appKeypad {
		dst = append(dst, "\x1b="...)
	} else {
		dst = append(dst, "\x1b>"...)
	}
	dst = appendMode(dst, true, 5, m.reverseVideo)
	for _, mode := range []int{9, 1000, 1002, 1003} {
		if mode != m.mouse {
			dst = appendMode(dst, true, mode, false)
		}
	}
	if m.mouse != 0 {
		dst = appendMode(dst, true, m.mouse, true)
	}
	dst = appendMode(dst, true, 1005, m.mouseUTF8)
	dst = appendMode(dst, true, 1006, m.mouseSGR)
	dst = appendMode(dst, true, 1015, m.mouseURXVT)
	dst = appendMode(dst, true, 1004, m.focus)
	dst = appendMode(dst, true, 2004, m.bracketedPaste)
	// Keyboard protocols: modifyOtherKeys, and the kitty flags (popping
	// more than any stack holds resets it; a terminal without the protocol
	// ignores all of this).
	dst = append(dst, "\x1b[>4;"...)
	dst = strconv.AppendInt(dst, int64(m.modifyKeys), 10)
	dst = append(dst, "m\x1b[<99u"...)
	if m.kittyKeys != 0 {
		dst = append(dst, "\x1b[>"...)
		dst = strconv.AppendInt(dst, int64(m.kittyKeys), 10)
		dst = append(dst, 'u')
	}
	dst = append(dst, "\x1b["...)
	dst = strconv.AppendInt(dst, int64(m.cursorStyle), 10)
	dst = append(dst, " q\x1b]2;"...)
	dst = append(dst, s.title...)
	dst = append(dst, '\a')
	return dst
}
