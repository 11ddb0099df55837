package screen

// grid is one screen buffer (main or alternate) with its own saved cursor.
type grid struct {
	rows  [][]cell
	saved savedCursor
}

// savedCursor is the state DECSC saves and DECRC restores.
type savedCursor struct {
	valid       bool
	x, y        int
	wrapPending bool
	pen         style
	origin      bool
	charsets    [2]bool // G0, G1 designated as DEC special graphics
	gl          int
}

// modes are the terminal modes a repaint must restore on the client.
type modes struct {
	autowrap       bool // DECAWM ?7
	origin         bool // DECOM ?6
	insert         bool // IRM 4
	newline        bool // LNM 20
	appCursor      bool // DECCKM ?1
	appKeypad      bool // DECKPAM / DECKPNM
	cursorHidden   bool // DECTCEM ?25 reset
	reverseVideo   bool // DECSCNM ?5
	bracketedPaste bool // ?2004
	focus          bool // ?1004
	mouse          int  // 0, 9, 1000, 1002 or 1003
	mouseUTF8      bool // ?1005
	mouseSGR       bool // ?1006
	mouseURXVT     bool // ?1015
	cursorStyle    int  // DECSCUSR Ps
	modifyKeys     int  // xterm modifyOtherKeys level, CSI > 4 ; n m
	kittyKeys      int  // kitty keyboard protocol flags in effect
}

func defaultModes() modes { return modes{autowrap: true} }

// Screen is a terminal screen model. Feed it a program's output with Write;
// render it for a newly attached client with AppendRepaint.
type Screen struct {
	cols, rows int
	main, alt  grid
	cur        *grid // &main or &alt
	altActive  bool

	cx, cy      int
	wrapPending bool // a character was written in the last column (deferred wrap)
	pen         style
	top, bottom int // scroll region, inclusive
	m           modes
	tabs        []bool
	charsets    [2]bool // G0, G1 designated as DEC special graphics
	gl          int     // 0 (SI) or 1 (SO)
	slow        bool    // printing needs the slow path (insert mode or DEC graphics)
	lastRune    rune    // for REP
	title       string

	sb       scrollback
	rowTmp   [][]cell  // scratch for scrolling
	combs    []combRef // combining marks referenced by cells (cell.comb-1)
	combData []byte    // the bytes of combs
	combMax  int       // len(combs) that triggers a compaction
	reply    func([]byte)
	query    func([]byte) // see SetQueryFunc
	qbuf     []byte       // the query being passed on

	kittyStack []int // kitty keyboard flags pushed by CSI > u, at most maxKittyStack

	p parser
}

// New returns a blank screen of cols x rows keeping up to scrollbackLines
// lines of history. Sizes are clamped to 1..1000 columns, 1..500 rows and
// 0..100000 lines.
func New(cols, rows, scrollbackLines int) *Screen {
	s := &Screen{}
	s.cols = clamp(cols, minCols, maxCols)
	s.rows = clamp(rows, minRows, maxRows)
	s.sb.init(clamp(scrollbackLines, 0, maxScrollback), maxScrollbackSize)
	s.main.rows = newRows(s.cols, s.rows)
	// The alternate screen's rows are made when a program first switches
	// to it: many never do, and a grid is 28 bytes a cell.
	s.reset()
	return s
}

// grids are the screens that have rows: the main one, and the alternate
// one once a program has used it.
func (s *Screen) grids() []*grid {
	if s.alt.rows == nil {
		return []*grid{&s.main}
	}
	return []*grid{&s.main, &s.alt}
}

func newRows(cols, rows int) [][]cell {
	backing := make([]cell, cols*rows)
	r := make([][]cell, rows)
	for i := range r {
		r[i] = backing[i*cols : (i+1)*cols : (i+1)*cols]
		fill(r[i], blank(0))
	}
	return r
}

func fill(cs []cell, c cell) {
	if len(cs) == 0 {
		return
	}
	// Doubling copies run as memmove, several times faster than a store per
	// cell for the full rows a scroll clears.
	cs[0] = c
	for k := 1; k < len(cs); k *= 2 {
		copy(cs[k:], cs[:k])
	}
}

// reset is RIS: everything but the scrollback and the title goes back to
// power-on state.
func (s *Screen) reset() {
	for _, g := range []*grid{&s.main, &s.alt} {
		for _, r := range g.rows {
			fill(r, blank(0))
		}
		g.saved = savedCursor{}
	}
	s.cur, s.altActive = &s.main, false
	s.cx, s.cy, s.wrapPending = 0, 0, false
	s.pen = style{}
	s.top, s.bottom = 0, s.rows-1
	s.m = defaultModes()
	s.resetTabs(0)
	s.charsets, s.gl = [2]bool{}, 0
	s.lastRune = 0
	s.kittyStack = s.kittyStack[:0]
	s.p.reset()
	s.updateSlow()
}

// resetTabs sets a tab stop every 8 columns from column from on.
func (s *Screen) resetTabs(from int) {
	if cap(s.tabs) < s.cols {
		t := make([]bool, s.cols)
		copy(t, s.tabs)
		s.tabs = t
	}
	s.tabs = s.tabs[:s.cols]
	for i := from; i < s.cols; i++ {
		s.tabs[i] = i%8 == 0 && i > 0
	}
}

func (s *Screen) updateSlow() {
	s.slow = s.m.insert || s.charsets[s.gl]
}

// Size returns the screen size in columns and rows.
func (s *Screen) Size() (cols, rows int) { return s.cols, s.rows }

// Title returns the window title set by OSC 0 or OSC 2, stripped of
// control characters.
func (s *Screen) Title() string { return s.title }

// AltScreen reports whether the alternate screen is active.
func (s *Screen) AltScreen() bool { return s.altActive }

// Cursor returns the 0-based cursor position and whether it is visible.
func (s *Screen) Cursor() (x, y int, visible bool) { return s.cx, s.cy, !s.m.cursorHidden }

// ScrollbackLen returns the number of lines in the scrollback.
func (s *Screen) ScrollbackLen() int { return s.sb.len() }

// SetReplyFunc installs fn to answer terminal queries (DA1, DSR 5n and 6n)
// while no client is attached; nil removes it. fn must not call back into s.
func (s *Screen) SetReplyFunc(fn func(reply []byte)) { s.reply = fn }

// Lines returns the plain text of the visible rows with trailing blanks
// trimmed.
func (s *Screen) Lines() []string {
	out := make([]string, s.rows)
	var b []byte
	for y, row := range s.cur.rows {
		b = b[:0]
		for i := range row {
			c := &row[i]
			if c.width == 0 {
				continue
			}
			r := c.r
			if r == 0 {
				r = ' '
			}
			b = appendRune(b, r)
			b = append(b, s.combBytes(c)...)
		}
		end := len(b)
		for end > 0 && b[end-1] == ' ' {
			end--
		}
		out[y] = string(b[:end])
	}
	return out
}

// Resize changes the screen size like tmux does without reflow: rows are
// truncated or padded on the right; when the screen gets shorter, blank
// rows below the cursor go first, then rows at the top move into the
// scrollback (main screen); when it gets taller, lines come back from the
// scrollback before blank rows are added at the bottom. The scroll region
// is reset.
func (s *Screen) Resize(cols, rows int) {
	cols = clamp(cols, minCols, maxCols)
	rows = clamp(rows, minRows, maxRows)
	if cols == s.cols && rows == s.rows {
		return
	}
	if cols != s.cols {
		for _, g := range []*grid{&s.main, &s.alt} {
			for i, r := range g.rows {
				g.rows[i] = resizeRow(r, cols)
			}
		}
		s.cols = cols
		s.resetTabs(0)
	}
	if rows != s.rows {
		s.resizeRows(rows)
	}
	s.cx = clamp(s.cx, 0, s.cols-1)
	s.cy = clamp(s.cy, 0, s.rows-1)
	s.wrapPending = false
	s.top, s.bottom = 0, s.rows-1
	for _, g := range []*grid{&s.main, &s.alt} {
		g.saved.x = clamp(g.saved.x, 0, s.cols-1)
		g.saved.y = clamp(g.saved.y, 0, s.rows-1)
	}
}

// resizeRow returns r cut or padded to cols, never leaving half a wide
// character at the edge.
func resizeRow(r []cell, cols int) []cell {
	if cols <= len(r) {
		r = r[:cols:cols]
		if r[cols-1].width == 2 {
			r[cols-1] = blank(0)
		}
		return r
	}
	n := make([]cell, cols)
	copy(n, r)
	fill(n[len(r):], blank(0))
	return n
}

func (s *Screen) resizeRows(rows int) {
	old := s.rows
	if rows < old {
		needed := old - rows
		// Blank rows below the cursor go first, on both screens alike.
		avail := min(old-1-s.cy, needed)
		for _, g := range s.grids() {
			g.rows = g.rows[:old-avail]
		}
		needed -= avail
		// Then rows at the top: into the scrollback for the main screen.
		for _, g := range s.grids() {
			for i := 0; i < needed; i++ {
				if g == &s.main {
					s.sb.push(g.rows[i], s)
				}
			}
			g.rows = g.rows[needed:]
			g.saved.y -= needed
		}
		s.cy -= needed
	} else {
		needed := rows - old
		pulled := 0
		if !s.altActive {
			pulled = s.pullBack(needed)
			s.cy += pulled
			s.main.saved.y += pulled
		}
		for _, g := range s.grids() {
			n := needed
			if g == &s.main {
				n -= pulled
			}
			for range n {
				r := make([]cell, s.cols)
				fill(r, blank(0))
				g.rows = append(g.rows, r)
			}
		}
	}
	s.rows = rows
}

// pullBack moves up to n lines from the end of the scrollback back to the
// top of the main screen and returns how many it moved.
func (s *Screen) pullBack(n int) int {
	n = min(n, s.sb.len())
	if n == 0 {
		return 0
	}
	dec := New(maxCols, 1, 0)
	dec.m.autowrap = false
	type mark struct {
		x, y int
		b    []byte
	}
	var marks []mark
	back := make([][]cell, n)
	for i := n - 1; i >= 0; i-- {
		line := s.sb.pop()
		dec.Write([]byte("\x1b[H\x1b[0m\x1b[2K"))
		dec.Write(line)
		row := resizeRow(append([]cell(nil), dec.main.rows[0][:s.cols]...), s.cols)
		for x := range row {
			if row[x].comb != 0 {
				marks = append(marks, mark{x, i, dec.combBytes(&row[x])})
				row[x].comb = 0 // dec's index: re-added below, once in the grid
			}
		}
		back[i] = row
	}
	s.main.rows = append(back, s.main.rows...)
	for _, m := range marks {
		s.setComb(&s.main.rows[m.y][m.x], m.b)
	}
	return n
}
