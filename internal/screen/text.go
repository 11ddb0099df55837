package screen

import "unicode/utf8"

// Text renders a terminal byte stream as plain text lines, as a terminal of
// its size showed them: cursor moves, erases and redraws of the same rows
// act on a screen like everywhere else in this package, and a line comes
// out when it leaves the main screen at the top (scrolled off, or cleared
// into the scrollback by ED 2), then, on Close, the rows left on the screen
// down to the last one holding text. It holds one screen and one line at a
// time, whatever the length of the stream.
//
// What a full-screen program draws on the alternate screen is left out,
// as a terminal's scrollback leaves it out, unless the stream ends there:
// Close then writes the alternate screen's rows after the main screen's.
// Lines are the size of a row (soft-wrapped lines come out as one line a
// row); they carry no escape sequence and no C0 or C1 control, but may hold
// any other rune the stream printed (bidirectional controls among them):
// the caller decides what is safe to show.
//
// A Text is not safe for concurrent use.
type Text struct {
	s    *Screen
	line func([]byte) error
	buf  []byte
	err  error
}

// NewText returns a Text of cols x rows (clamped like New) that passes each
// line, without its newline, to line. line must not keep the slice; an
// error from it ends the rendering and is returned by Write and Close.
func NewText(cols, rows int, line func([]byte) error) *Text {
	t := &Text{s: New(cols, rows, 0), line: line}
	t.s.sb.sink = t.emit
	return t
}

// Write feeds p. It fails with the line func's error.
func (t *Text) Write(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	_, _ = t.s.Write(p)
	if t.err != nil {
		return 0, t.err
	}
	return len(p), nil
}

// Close writes the rows left on the screen: the main screen's down to its
// last row with text, then the same of the alternate screen when it is
// active.
func (t *Text) Close() error {
	if t.err != nil {
		return t.err
	}
	grids := []*grid{&t.s.main}
	if t.s.altActive {
		grids = append(grids, &t.s.alt)
	}
	for _, g := range grids {
		last := -1
		for y, row := range g.rows {
			if len(t.s.rowText(t.buf[:0], row)) > 0 {
				last = y
			}
		}
		for y := 0; y <= last && t.err == nil; y++ {
			t.emit(g.rows[y])
		}
	}
	return t.err
}

// emit passes row to the line func, unless an earlier call failed.
func (t *Text) emit(row []cell) {
	if t.err != nil {
		return
	}
	t.buf = t.s.rowText(t.buf[:0], row)
	t.err = t.line(t.buf)
}

// rowText appends row's text to dst: each character once (a wide one's
// continuation cell adds nothing) with its combining marks, erased cells
// as spaces, C1 controls dropped, trailing spaces cut.
func (s *Screen) rowText(dst []byte, row []cell) []byte {
	start := len(dst)
	for i := range row {
		c := &row[i]
		if c.width == 0 {
			continue
		}
		r := c.r
		if r == 0 || isC1(r) {
			r = ' '
		}
		dst = appendRune(dst, r)
		// The model keeps UTF-8 encoded C1 controls as zero-width marks;
		// they are no text.
		for m := s.combBytes(c); len(m) > 0; {
			r, n := utf8.DecodeRune(m)
			if !isC1(r) {
				dst = append(dst, m[:n]...)
			}
			m = m[n:]
		}
	}
	end := len(dst)
	for end > start && dst[end-1] == ' ' {
		end--
	}
	return dst[:end]
}

func isC1(r rune) bool { return r >= 0x80 && r < 0xa0 }

// ContentRows returns how many rows of the main screen, counted from the
// top, hold anything: one more than the index of the last row with a cell
// that is not a default blank (a coloured space counts), 0 for a blank
// screen. Whichever screen is active, it looks at the main one: a program
// that leaves the alternate screen goes back to it.
func (s *Screen) ContentRows() int {
	for y := len(s.main.rows) - 1; y >= 0; y-- {
		row := s.main.rows[y]
		for i := range row {
			if !row[i].isBlank(0) {
				return y + 1
			}
		}
	}
	return 0
}
