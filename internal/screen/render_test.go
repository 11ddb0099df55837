package screen

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// appendCellsOneByOne is appendCells without its fast path for runs of
// plain ASCII: every cell compared and appended on its own.
func appendCellsOneByOne(dst []byte, cells []cell, pen *style, s *Screen) []byte {
	for i := range cells {
		c := &cells[i]
		if c.width == 0 {
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

// TestAppendCellsFastPath: rows mixing plain ASCII runs with style
// changes, wide characters, combining marks, control-range runes and
// blanks encode exactly as they do cell by cell.
func TestAppendCellsFastPath(t *testing.T) {
	s := New(80, 24, 0)
	// Real combining marks from the parser, so combBytes has data.
	s.Write([]byte("e\u0301a\u0308"))
	accent, umlaut := s.main.rows[0][0].comb, s.main.rows[0][1].comb
	if accent == 0 || umlaut == 0 {
		t.Fatal("the parser recorded no combining marks")
	}
	styles := []style{{}, {fg: colorBasic | 1}, {bg: colorIndexed | 200, attr: attrBold}, {ul: colorRGB | 0x102030, attr: ulCurly}}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		row := make([]cell, 1+rng.IntN(120))
		for i := range row {
			st := styles[0]
			if rng.IntN(6) == 0 {
				st = styles[rng.IntN(len(styles))]
			}
			c := cell{r: rune(0x20 + rng.IntN(0x5f)), width: 1, style: st}
			switch rng.IntN(12) {
			case 0:
				c.r = '日'
				c.width = 2
			case 1:
				c = cell{style: st} // continuation of a wide character
			case 2:
				c.comb = accent
			case 3:
				c.comb = umlaut
			case 4:
				c.r = 0 // never written
			case 5:
				c.r = 0x7f
			}
			row[i] = c
		}
		startPen := styles[rng.IntN(len(styles))]
		pen1, pen2 := startPen, startPen
		got := appendCells([]byte("prefix"), row, &pen1, s)
		want := appendCellsOneByOne([]byte("prefix"), row, &pen2, s)
		if !bytes.Equal(got, want) || pen1 != pen2 {
			t.Fatalf("trial %d: got %q pen %+v; want %q pen %+v", trial, got, pen1, want, pen2)
		}
	}
}
