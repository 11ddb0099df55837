package screen

import (
	"math/rand/v2"
	"testing"
)

// TestAppendCellsRoundTrip: rows mixing plain ASCII runs with style
// changes, wide characters, combining marks and never-written cells,
// encoded by appendCells and written into a fresh screen, come back cell
// for cell. It checks the fast path for runs of plain ASCII against the
// parser rather than against a second encoder.
func TestAppendCellsRoundTrip(t *testing.T) {
	const cols = 80
	src := New(cols, 2, 0)
	// Real combining marks from the parser, so combBytes has data.
	src.Write([]byte("e\u0301a\u0308"))
	accent, umlaut := src.main.rows[0][0].comb, src.main.rows[0][1].comb
	if accent == 0 || umlaut == 0 {
		t.Fatal("the parser recorded no combining marks")
	}
	styles := []style{{}, {fg: colorBasic | 1}, {bg: colorIndexed | 200, attr: attrBold}, {fg: colorRGB | 0x102030, attr: attrItalic | ulCurly}}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		row := make([]cell, cols)
		for i := 0; i < cols; i++ {
			st := styles[0]
			if rng.IntN(6) == 0 {
				st = styles[rng.IntN(len(styles))]
			}
			c := cell{r: rune(0x21 + rng.IntN(0x5e)), width: 1, style: st}
			switch rng.IntN(10) {
			case 0:
				if i+1 < cols {
					row[i] = cell{r: '日', width: 2, style: st}
					row[i+1] = cell{style: st} // its continuation
					i++
					continue
				}
			case 1:
				c.comb = accent
			case 2:
				c.comb = umlaut
			case 3:
				c = cell{r: ' ', width: 1, style: st}
			}
			row[i] = c
		}
		var pen style
		enc := appendCells([]byte("\x1b[H"), row, &pen, src)
		dst := New(cols, 2, 0)
		dst.Write(enc)
		for i, want := range row {
			got := dst.main.rows[0][i]
			if got.r != want.r || got.width != want.width || got.style != want.style ||
				string(dst.combBytes(&got)) != string(src.combBytes(&want)) {
				t.Fatalf("trial %d, column %d: got %+v %q; want %+v %q\nencoded %q", trial, i,
					got, dst.combBytes(&got), want, src.combBytes(&want), enc)
			}
		}
		if pen != row[cols-1].style {
			t.Fatalf("trial %d: pen %+v after encoding; want the last cell's %+v", trial, pen, row[cols-1].style)
		}
	}
}
