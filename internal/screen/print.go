package screen

import (
	"sync"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

var (
	widths = &runewidth.Condition{EastAsianWidth: false}

	// bmpWidths caches the width of every rune below U+10000: the table
	// lookups of runewidth were a third of the cost of writing CJK text and
	// box drawing. Built on first use (about 64 KiB).
	bmpWidths     [0x10000]uint8
	bmpWidthsOnce sync.Once
)

// runeWidth is the number of columns r takes: 0 for combining marks and
// other zero-width characters, 2 for wide ones, like wcwidth.
func runeWidth(r rune) int {
	if r < 0x300 {
		if r >= 0xa0 || (r >= 0x20 && r < 0x7f) {
			return 1
		}
		return 0
	}
	if r < 0x10000 {
		bmpWidthsOnce.Do(func() {
			for i := range bmpWidths {
				bmpWidths[i] = uint8(widths.RuneWidth(rune(i)))
			}
		})
		return int(bmpWidths[r])
	}
	return widths.RuneWidth(r)
}

func appendRune(b []byte, r rune) []byte { return utf8.AppendRune(b, r) }

// printASCII writes a run of printable ASCII bytes. It is the hot path.
func (s *Screen) printASCII(run []byte) {
	if s.slow {
		for _, c := range run {
			s.print(rune(c))
		}
		return
	}
	s.lastRune = rune(run[len(run)-1])
	pen := s.pen
	for len(run) > 0 {
		if s.wrapPending {
			s.wrapOrStay()
		}
		row := s.cur.rows[s.cy]
		n := min(len(run), s.cols-s.cx)
		s.clearOverlap(row, s.cx, n)
		dst := row[s.cx : s.cx+n]
		for k, c := range run[:n] {
			dst[k] = cell{r: rune(c), width: 1, style: pen}
		}
		s.cx += n
		run = run[n:]
		if s.cx >= s.cols {
			s.cx = s.cols - 1
			s.wrapPending = true
			if !s.m.autowrap && len(run) > 0 {
				// Without autowrap the rest lands in the last column.
				row[s.cx] = cell{r: rune(run[len(run)-1]), width: 1, style: pen}
				run = nil
			}
		}
	}
}

// print writes one rune at the cursor.
func (s *Screen) print(r rune) {
	if s.charsets[s.gl] && r >= 0x5f && r <= 0x7e {
		r = decGraphics[r-0x5f]
	}
	w := runeWidth(r)
	if w == 0 {
		s.combine(r)
		return
	}
	s.lastRune = r
	if s.wrapPending {
		s.wrapOrStay()
	}
	if w == 2 && s.cx == s.cols-1 {
		if !s.m.autowrap || s.cols < 2 {
			return // no room and no wrap: dropped, as tmux does
		}
		row := s.cur.rows[s.cy]
		s.clearOverlap(row, s.cx, 1)
		row[s.cx] = blank(0)
		s.wrap()
	}
	row := s.cur.rows[s.cy]
	if s.m.insert {
		s.insertCells(w)
	}
	s.clearOverlap(row, s.cx, w)
	row[s.cx] = cell{r: r, width: uint8(w), style: s.pen}
	if w == 2 {
		row[s.cx+1] = cell{width: 0, style: s.pen}
	}
	s.cx += w
	if s.cx >= s.cols {
		s.cx = s.cols - 1
		s.wrapPending = true
	}
}

// combine attaches a zero-width rune to the character before the cursor.
// Controls that reach it (C0, DEL, and C1 written as UTF-8, U+0080 to
// U+009F) are not characters: a terminal draws nothing for them, so the
// model keeps nothing, and no repaint or view sends them on.
func (s *Screen) combine(r rune) {
	if r < 0x20 || r >= 0x7f && r < 0xa0 {
		return
	}
	x := s.cx - 1
	if s.wrapPending {
		x = s.cx
	}
	row := s.cur.rows[s.cy]
	if x >= 0 && row[x].width == 0 && x > 0 {
		x--
	}
	if x < 0 || row[x].width == 0 {
		return
	}
	c := &row[x]
	cur := s.combBytes(c)
	if len(cur)+utf8.RuneLen(r) > maxCombBytes {
		return
	}
	var buf [maxCombBytes]byte
	s.setComb(c, utf8.AppendRune(append(buf[:0], cur...), r))
}

// clearOverlap blanks the halves of wide characters that writing n cells at
// x would cut in two.
func (s *Screen) clearOverlap(row []cell, x, n int) {
	if x > 0 && row[x].width == 0 {
		row[x-1] = blank(0)
	}
	if end := x + n; end < len(row) && row[end].width == 0 {
		row[end] = blank(0)
	}
}

// wrapOrStay handles a character written after one in the last column:
// with autowrap it goes to the next line, without it overwrites the last
// column. wrapPending is set in both cases so that a combining mark finds
// the character in the last column.
func (s *Screen) wrapOrStay() {
	if s.m.autowrap {
		s.wrap()
		return
	}
	s.wrapPending = false
}

// wrap moves to the start of the next line, scrolling if needed.
func (s *Screen) wrap() {
	s.wrapPending = false
	s.cx = 0
	s.index()
}

// decGraphics maps 0x5f-0x7e in the DEC special graphics set to Unicode.
var decGraphics = [...]rune{
	' ', '◆', '▒', '␉', '␌', '␍', '␊', '°', '±', '␤', '␋', '┘', '┐', '┌', '└', '┼',
	'⎺', '⎻', '─', '⎼', '⎽', '├', '┤', '┴', '┬', '│', '≤', '≥', 'π', '≠', '£', '·',
}
