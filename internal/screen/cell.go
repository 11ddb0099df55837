package screen

// color is a packed terminal colour: the top byte is the kind, the low 24
// bits the value. The zero value is the terminal's default colour.
type color uint32

const (
	colorBasic   color = 1 << 24 // 0-15, set by SGR 30-37, 90-97 (and 40s/100s)
	colorIndexed color = 2 << 24 // 0-255, set by SGR 38;5;n
	colorRGB     color = 3 << 24 // 0xRRGGBB, set by SGR 38;2;r;g;b
	colorKind    color = 0xff << 24
)

// attr holds the boolean SGR attributes and, in ulMask, the underline style.
type attr uint16

const (
	attrBold attr = 1 << iota
	attrFaint
	attrItalic
	attrBlink
	attrReverse
	attrConceal
	attrStrike
	attrOverline
)

// Underline styles live in three bits above the boolean attributes.
const (
	ulShift       = 8
	ulMask   attr = 7 << ulShift
	ulSingle attr = 1 << ulShift
	ulDouble attr = 2 << ulShift
	ulCurly  attr = 3 << ulShift
	ulDotted attr = 4 << ulShift
	ulDashed attr = 5 << ulShift
)

// style is the SGR pen of a cell. It is comparable.
type style struct {
	fg, bg, ul color
	attr       attr
}

// cell is one column of one row. A wide character occupies its cell
// (width 2) and the next one (width 0, r 0, a continuation).
type cell struct {
	r     rune
	width uint8
	style style
	comb  uint32 // combining marks following r: Screen.combs[comb-1], or none
}

// blank is an erased cell: a space carrying only the background colour, as
// xterm and tmux do (background colour erase).
func blank(bg color) cell {
	return cell{r: ' ', width: 1, style: style{bg: bg}}
}

// isBlank reports whether c is an erased cell with background bg.
func (c *cell) isBlank(bg color) bool {
	return c.r == ' ' && c.width == 1 && c.comb == 0 && c.style == style{bg: bg}
}

// Bounds that keep a hostile stream from growing memory without limit.
const (
	minCols, maxCols  = 1, 1000
	minRows, maxRows  = 1, 500
	maxScrollback     = 100000   // lines
	maxScrollbackSize = 16 << 20 // bytes of encoded scrollback
	maxCombBytes      = 16       // combining marks per cell, in UTF-8 bytes
	maxTitleBytes     = 1024     // window title
	maxOSCBytes       = 4096     // OSC payload kept while parsing
	maxParams         = 32       // CSI parameters kept
	maxParamValue     = 65535    // larger CSI parameters are clamped
	maxKittyStack     = 16       // kitty keyboard flag stack depth
)

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
