package screen

import (
	"bytes"
	"strconv"
)

// View is one terminal's window on a Screen of another size, as tmux gives
// a client smaller or bigger than its window: the terminal shows the
// screen's cells from an offset, clipped to its own size, the rest blank.
// A View remembers what it last sent to its terminal, so that each frame is
// a diff of changed rows. The zero View has sent nothing: its first frame
// repaints the whole terminal.
//
// Like the Screen, a View is not safe for concurrent use.
type View struct {
	cols, rows   int  // the terminal's size at the last frame
	gcols, grows int  // the screen's size then
	x, y         int  // the screen cell shown at the terminal's top left
	valid        bool // lines is what the terminal shows
	alt          bool // the alternate screen was active
	m            modes
	title        string
	cx, cy       int      // the cursor as last sent, in terminal cells
	lines        [][]byte // each terminal row as last sent, encoded
	note         viewNote // the marker drawn in the last frame

	cells []cell // scratch: one terminal row
	row   []byte // scratch: one encoded row
}

// viewNote is the marker on a view that does not show the whole screen at
// its size: where it is and what it says.
type viewNote struct {
	text  string
	x, y  int
	style style
}

// Reset forgets what the terminal shows, after something else wrote to it:
// the next frame repaints everything.
func (v *View) Reset() { v.valid = false }

// Offset returns the screen cell shown at the terminal's top left.
func (v *View) Offset() (x, y int) { return v.x, v.y }

// Note returns the marker of the last frame and its place on the terminal;
// empty when the view showed the whole screen at its size.
func (v *View) Note() (text string, x, y int) { return v.note.text, v.note.x, v.note.y }

// AppendView appends a frame that makes a terminal of cols x rows show this
// screen as tmux shows a window to a client of another size, and records it
// in v. Columns and rows past the terminal's size are clipped; a terminal
// bigger than the screen shows it at the top left with the rest blank.
// When the terminal is smaller, the view pans to keep the cursor visible and
// otherwise stays where it was; a reverse-video note such as
// "[60x20 of 100x30]" marks a clipped view, and a dim "[60x20]" in the
// blank margin a padded one. The terminal also gets the screen's alternate
// screen, input modes, cursor and title, so that keys typed in it mean what
// they mean to the program.
//
// A frame is a diff against v: only changed rows are written, and nothing
// at all when nothing changed. The first frame, and the first after Reset,
// a size change or a switch of screens, repaints everything. The terminal
// must receive nothing else between frames.
func (s *Screen) AppendView(dst []byte, v *View, cols, rows int) []byte {
	cols = clamp(cols, minCols, maxCols)
	rows = clamp(rows, minRows, maxRows)
	full := !v.valid || v.cols != cols || v.rows != rows || v.alt != s.altActive
	fresh := full || v.gcols != s.cols || v.grows != s.rows
	v.x, v.y = s.viewOffset(v, cols, rows, fresh)
	tx, ty := s.cx-v.x, s.cy-v.y
	v.note = s.placeNote(cols, rows, tx, ty)

	start := len(dst)
	dst = append(dst, "\x1b[?2026h"...)
	body := len(dst)
	m := viewModes(s.m)
	modesChanged := full || m != v.m || s.title != v.title
	if full {
		dst = append(dst, resetState...)
		if s.altActive {
			dst = append(dst, "\x1b[?1049h"...)
		}
		if cap(v.lines) < rows {
			v.lines = make([][]byte, rows)
		}
		v.lines = v.lines[:rows] // every row is painted below
	}
	if modesChanged {
		dst = s.appendModes(dst)
	}
	painted := false
	for y := range rows {
		row := s.viewRow(v, y, cols)
		if !full && bytes.Equal(row, v.lines[y]) {
			continue
		}
		if !painted && !full && !s.m.cursorHidden {
			dst = append(dst, "\x1b[?25l"...) // no cursor flying over the rows
		}
		painted = true
		dst = appendCUP(dst, 0, y)
		dst = append(dst, row...)
		v.lines[y] = append(v.lines[y][:0], row...)
	}
	if painted || modesChanged || tx != v.cx || ty != v.cy {
		dst = appendCUP(dst, tx, ty)
	}
	if painted || modesChanged {
		dst = appendMode(dst, true, 25, !s.m.cursorHidden)
	}
	v.cols, v.rows, v.gcols, v.grows = cols, rows, s.cols, s.rows
	v.valid, v.alt, v.m, v.title, v.cx, v.cy = true, s.altActive, m, s.title, tx, ty
	if len(dst) == body {
		return dst[:start]
	}
	return append(dst, "\x1b[?2026l"...)
}

// AppendViewAttach appends what a newly attached terminal of cols x rows
// gets: the last n scrollback lines scrolled into its own scrollback (lines
// wider than it wrap there), then a full frame of AppendView.
func (s *Screen) AppendViewAttach(dst []byte, v *View, n, cols, rows int) []byte {
	dst = s.appendPushed(dst, n, clamp(rows, minRows, maxRows))
	v.Reset()
	return s.AppendView(dst, v, cols, rows)
}

// viewModes is m without the modes a view never passes on: the view paints
// with autowrap off, no origin mode and no insert mode.
func viewModes(m modes) modes {
	m.autowrap, m.origin, m.insert, m.newline = false, false, false, false
	return m
}

// viewOffset returns the screen cell to show at the top left of a terminal
// of cols x rows. Where the terminal is as big as the screen it is 0.
// Otherwise the view stays where it was while the cursor is in it, so that
// a program moving its cursor around does not make it jump; when the
// cursor leaves it (or the view starts afresh), it moves just enough to
// show the cursor, and, for rows, shows everything from the cursor down to
// the last non-blank row when that fits: a prompt near the bottom with a
// status line under it stays in view with its status line. It never
// shows blank rows at its bottom while rows above it are hidden.
func (s *Screen) viewOffset(v *View, cols, rows int, fresh bool) (x, y int) {
	x, y = v.x, v.y
	if fresh {
		x, y = 0, 0
	}
	if s.cols <= cols {
		x = 0
	} else {
		if s.cx < x {
			x = s.cx
		} else if s.cx >= x+cols {
			x = s.cx - cols + 1
		}
		x = clamp(x, 0, s.cols-cols)
	}
	if s.rows <= rows {
		return x, 0
	}
	// bottom is the cursor's row or the last one below it holding anything.
	bottom := s.cy
	for r := s.rows - 1; r > s.cy; r-- {
		if !blankRow(s.cur.rows[r]) {
			bottom = r
			break
		}
	}
	if fresh || s.cy < y || s.cy >= y+rows {
		switch {
		case bottom-s.cy < rows:
			y = bottom - rows + 1
		case s.cy < y:
			y = s.cy
		case s.cy >= y+rows:
			y = s.cy - rows + 1
		}
	}
	// Blank rows at the bottom of the view while rows above it are hidden
	// (a program that redrew higher up, as Claude does after a resize):
	// the view moves up until its last row is the cursor's or the last
	// one holding anything, so the cursor stays in view.
	if over := y + rows - 1 - bottom; over > 0 {
		y -= over
	}
	return x, clamp(y, 0, s.rows-rows)
}

func blankRow(row []cell) bool {
	for i := range row {
		if !row[i].isBlank(0) {
			return false
		}
	}
	return true
}

// placeNote chooses the marker of a view whose terminal (cols x rows, the
// cursor at tx, ty) is not the screen's size. It goes where it hides
// nothing when there is room, in the blank margin right of or below the
// screen; otherwise, for a clipped view, at the top right corner, or the
// bottom right one when the cursor is on the top row.
func (s *Screen) placeNote(cols, rows, tx, ty int) viewNote {
	clipped := cols < s.cols || rows < s.rows
	if !clipped && cols == s.cols && rows == s.rows {
		return viewNote{}
	}
	vw, vh := min(cols, s.cols), min(rows, s.rows)
	b := make([]byte, 0, 24)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(vw), 10)
	b = append(b, 'x')
	b = strconv.AppendInt(b, int64(vh), 10)
	st := style{attr: attrFaint}
	if clipped {
		b = append(b, " of "...)
		b = strconv.AppendInt(b, int64(s.cols), 10)
		b = append(b, 'x')
		b = strconv.AppendInt(b, int64(s.rows), 10)
		st = style{attr: attrReverse}
	}
	b = append(b, ']')
	if len(b) > cols {
		b = b[:cols]
	}
	n := len(b)
	switch {
	case cols-vw >= n:
		return viewNote{text: string(b), x: cols - n, y: 0, style: st}
	case rows > vh:
		return viewNote{text: string(b), x: cols - n, y: rows - 1, style: st}
	case !clipped:
		return viewNote{}
	case ty != 0:
		return viewNote{text: string(b), x: cols - n, y: 0, style: st}
	case rows > 1:
		return viewNote{text: string(b), x: cols - n, y: rows - 1, style: st}
	}
	return viewNote{}
}

// viewRow encodes terminal row y of v: the screen's cells from the view's
// offset, cut at the terminal's width (never half a wide character), blank
// past the screen's edge, with the note over them, starting and ending with
// the default pen.
func (s *Screen) viewRow(v *View, y, cols int) []byte {
	if cap(v.cells) < cols {
		v.cells = make([]cell, cols)
	}
	cells := v.cells[:cols]
	n := 0
	if gy := v.y + y; gy < s.rows {
		n = copy(cells, s.cur.rows[gy][v.x:])
		if n > 0 && cells[0].width == 0 {
			cells[0] = blank(cells[0].style.bg) // the right half of a wide character
		}
		if n > 0 && cells[n-1].width == 2 && v.x+n < s.cols {
			cells[n-1] = blank(cells[n-1].style.bg) // the left half
		}
	}
	fill(cells[n:], blank(0))
	if nt := &v.note; nt.text != "" && nt.y == y {
		for i := 0; i < len(nt.text); i++ {
			cells[nt.x+i] = cell{r: rune(nt.text[i]), width: 1, style: nt.style}
		}
		if nt.x > 0 && cells[nt.x-1].width == 2 {
			cells[nt.x-1] = blank(cells[nt.x-1].style.bg)
		}
		if end := nt.x + len(nt.text); end < cols && cells[end].width == 0 {
			cells[end] = blank(cells[end].style.bg)
		}
	}
	// A trailing run of erased cells is cleared with EL in their colour.
	end := cols
	bg := cells[end-1].style.bg
	for end > 0 && cells[end-1].isBlank(bg) {
		end--
	}
	pen := style{}
	row := appendCells(v.row[:0], cells[:end], &pen, s)
	if end < cols {
		if to := (style{bg: bg}); pen != to {
			row = appendSGR(row, pen, to)
			pen = to
		}
		row = append(row, "\x1b[K"...)
	}
	if pen != (style{}) {
		row = append(row, "\x1b[0m"...)
	}
	v.row = row
	return row
}
