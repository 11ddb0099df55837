package screen

func (s *Screen) linefeed() {
	s.wrapPending = false
	s.index()
	if s.m.newline {
		s.cx = 0
	}
}

// index moves down one row, scrolling the region at its bottom margin.
func (s *Screen) index() {
	switch {
	case s.cy == s.bottom:
		s.scrollUp(s.top, s.bottom, 1)
	case s.cy < s.rows-1:
		s.cy++
	}
}

// reverseIndex moves up one row, scrolling the region at its top margin.
func (s *Screen) reverseIndex() {
	s.wrapPending = false
	switch {
	case s.cy == s.top:
		s.scrollDown(s.top, s.bottom, 1)
	case s.cy > 0:
		s.cy--
	}
}

// scrollUp scrolls rows top..bottom up by n, filling with erased rows.
// Rows leaving a full-screen region of the main screen go to scrollback.
func (s *Screen) scrollUp(top, bottom, n int) {
	n = min(n, bottom-top+1)
	rows := s.cur.rows
	toHistory := s.cur == &s.main && top == 0 && bottom == s.rows-1
	gone := s.tmpRows(n)
	copy(gone, rows[top:top+n])
	for _, r := range gone {
		if toHistory {
			s.sb.push(r, s)
		}
		fill(r, blank(s.pen.bg))
	}
	copy(rows[top:], rows[top+n:bottom+1])
	copy(rows[bottom+1-n:], gone)
}

// scrollDown scrolls rows top..bottom down by n, filling with erased rows.
func (s *Screen) scrollDown(top, bottom, n int) {
	n = min(n, bottom-top+1)
	rows := s.cur.rows
	gone := s.tmpRows(n)
	copy(gone, rows[bottom+1-n:bottom+1])
	for _, r := range gone {
		fill(r, blank(s.pen.bg))
	}
	copy(rows[top+n:], rows[top:bottom+1-n])
	copy(rows[top:], gone)
}

func (s *Screen) backspace() {
	if s.wrapPending {
		s.wrapPending = false
		return
	}
	if s.cx > 0 {
		s.cx--
	}
}

// tab moves to the n-th next tab stop (backwards when n < 0), or the margin.
func (s *Screen) tab(n int) {
	s.wrapPending = false
	for ; n > 0 && s.cx < s.cols-1; n-- {
		s.cx++
		for s.cx < s.cols-1 && !s.tabs[s.cx] {
			s.cx++
		}
	}
	for ; n < 0 && s.cx > 0; n++ {
		s.cx--
		for s.cx > 0 && !s.tabs[s.cx] {
			s.cx--
		}
	}
}

// moveTo places the cursor at (x, y), clamped to the screen.
func (s *Screen) moveTo(x, y int) {
	s.cx = clamp(x, 0, s.cols-1)
	s.cy = clamp(y, 0, s.rows-1)
	s.wrapPending = false
}

// cursorUp and cursorDown stop at the scroll margins when starting inside
// the region.
func (s *Screen) cursorUp(n int) {
	lo := 0
	if s.cy >= s.top {
		lo = s.top
	}
	s.moveTo(s.cx, max(s.cy-n, lo))
}

func (s *Screen) cursorDown(n int) {
	hi := s.rows - 1
	if s.cy <= s.bottom {
		hi = s.bottom
	}
	s.moveTo(s.cx, min(s.cy+n, hi))
}

// eraseCells erases row y from x0 to x1 (exclusive) with the pen's
// background, blanking wide characters cut at the edges.
func (s *Screen) eraseCells(y, x0, x1 int) {
	x0, x1 = clamp(x0, 0, s.cols), clamp(x1, 0, s.cols)
	if x0 >= x1 {
		return
	}
	row := s.cur.rows[y]
	s.clearOverlap(row, x0, x1-x0)
	fill(row[x0:x1], blank(s.pen.bg))
}

func (s *Screen) eraseRows(y0, y1 int) {
	for y := y0; y < y1; y++ {
		fill(s.cur.rows[y], blank(s.pen.bg))
	}
}

// eraseDisplay is ED.
func (s *Screen) eraseDisplay(mode int) {
	switch mode {
	case 0:
		s.eraseCells(s.cy, s.cx, s.cols)
		s.eraseRows(s.cy+1, s.rows)
	case 1:
		s.eraseCells(s.cy, 0, s.cx+1)
		s.eraseRows(0, s.cy)
	case 2:
		if s.cur == &s.main {
			// Like tmux: the non-blank part of the screen goes to the
			// scrollback so that "clear" does not lose history.
			last := -1
			for y, r := range s.main.rows {
				for i := range r {
					if !r[i].isBlank(0) {
						last = y
						break
					}
				}
			}
			for y := 0; y <= last; y++ {
				s.sb.push(s.main.rows[y], s)
			}
		}
		s.eraseRows(0, s.rows)
	case 3:
		s.sb.clear()
	}
}

// eraseLine is EL.
func (s *Screen) eraseLine(mode int) {
	switch mode {
	case 0:
		s.eraseCells(s.cy, s.cx, s.cols)
	case 1:
		s.eraseCells(s.cy, 0, s.cx+1)
	case 2:
		s.eraseCells(s.cy, 0, s.cols)
	}
}

// insertCells shifts the cursor's row right by n from the cursor (ICH).
func (s *Screen) insertCells(n int) {
	row := s.cur.rows[s.cy]
	n = min(n, s.cols-s.cx)
	s.clearOverlap(row, s.cx, 0)
	copy(row[s.cx+n:], row[s.cx:])
	fill(row[s.cx:s.cx+n], blank(s.pen.bg))
	if row[s.cols-1].width == 2 {
		row[s.cols-1] = blank(s.pen.bg)
	}
}

// deleteCells removes n cells at the cursor, shifting the rest left (DCH).
func (s *Screen) deleteCells(n int) {
	row := s.cur.rows[s.cy]
	n = min(n, s.cols-s.cx)
	s.clearOverlap(row, s.cx, n)
	copy(row[s.cx:], row[s.cx+n:])
	fill(row[s.cols-n:], blank(s.pen.bg))
}

// insertLines and deleteLines are IL and DL: they act inside the scroll
// region when the cursor is in it, and move the cursor to column 0.
func (s *Screen) insertLines(n int) {
	if s.cy < s.top || s.cy > s.bottom {
		return
	}
	s.scrollDown(s.cy, s.bottom, n)
	s.cx, s.wrapPending = 0, false
}

func (s *Screen) deleteLines(n int) {
	if s.cy < s.top || s.cy > s.bottom {
		return
	}
	bottom := s.bottom
	// Deleted lines never go to the scrollback.
	rows := s.cur.rows
	n = min(n, bottom-s.cy+1)
	gone := s.tmpRows(n)
	copy(gone, rows[s.cy:s.cy+n])
	for _, r := range gone {
		fill(r, blank(s.pen.bg))
	}
	copy(rows[s.cy:], rows[s.cy+n:bottom+1])
	copy(rows[bottom+1-n:], gone)
	s.cx, s.wrapPending = 0, false
}

// tmpRows returns a scratch slice of n row headers for rotating rows.
func (s *Screen) tmpRows(n int) [][]cell {
	if cap(s.rowTmp) < n {
		s.rowTmp = make([][]cell, n, maxRows)
	}
	return s.rowTmp[:n]
}
