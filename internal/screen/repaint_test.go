package screen

import (
	"fmt"
	"strings"
	"testing"
)

// stateDiff lists the differences a client could observe between a and b:
// every cell of the visible screen (and of the main screen under an active
// alternate screen), cursor, pen, modes, scroll region, tab stops, title
// and the saved cursor.
func stateDiff(a, b *Screen) []string {
	var d []string
	add := func(format string, args ...any) { d = append(d, fmt.Sprintf(format, args...)) }
	if a.cols != b.cols || a.rows != b.rows {
		add("size %dx%d vs %dx%d", a.cols, a.rows, b.cols, b.rows)
		return d
	}
	grids := []struct {
		name string
		a, b *grid
	}{{"main", &a.main, &b.main}}
	if a.altActive || b.altActive {
		grids = append(grids, struct {
			name string
			a, b *grid
		}{"alt", &a.alt, &b.alt})
	}
	for _, g := range grids {
		for y := range a.rows {
			for x := range a.cols {
				ca, cb := g.a.rows[y][x], g.b.rows[y][x]
				if ca.r != cb.r || ca.width != cb.width || ca.style != cb.style || a.combString(&ca) != b.combString(&cb) {
					add("%s %d,%d: %s vs %s", g.name, x, y, a.describeCell(ca), b.describeCell(cb))
				}
			}
		}
		sa, sb := g.a.saved, g.b.saved
		if sa.x != sb.x || sa.y != sb.y || sa.pen != sb.pen {
			add("%s saved cursor %+v vs %+v", g.name, sa, sb)
		}
	}
	if a.altActive != b.altActive {
		add("alt %v vs %v", a.altActive, b.altActive)
	}
	if a.cx != b.cx || a.cy != b.cy || a.wrapPending != b.wrapPending {
		add("cursor %d,%d,%v vs %d,%d,%v", a.cx, a.cy, a.wrapPending, b.cx, b.cy, b.wrapPending)
	}
	if a.pen != b.pen {
		add("pen %+v vs %+v", a.pen, b.pen)
	}
	if a.m != b.m {
		add("modes %+v vs %+v", a.m, b.m)
	}
	if a.top != b.top || a.bottom != b.bottom {
		add("region %d-%d vs %d-%d", a.top, a.bottom, b.top, b.bottom)
	}
	if fmt.Sprint(a.tabs) != fmt.Sprint(b.tabs) {
		add("tabs differ")
	}
	if a.title != b.title {
		add("title %q vs %q", a.title, b.title)
	}
	if a.charsets != b.charsets || a.gl != b.gl {
		add("charsets %v %d vs %v %d", a.charsets, a.gl, b.charsets, b.gl)
	}
	return d
}

// repaintGarbage leaves a model in a foreign state before a repaint.
const repaintGarbage = "junk\x1b[31;1m more junk\x1b[?1049h\x1b[44mALT\x1b[2;3r\x1b[?6h\x1b[4h\x1b[?7l\x1b[?1h\x1b=" +
	"\x1b[?1003h\x1b[?1015h\x1b[?1005h\x1b[>4;1m\x1b[>8u\x1b[?2004h\x1b[?1004h\x1b[?5h\x1b[?25l\x1b(0\x1b)0\x0e\x1b[3g\x1b[1;3H\x1bH\x1b]2;junk\a\x1b7\x1b[20h\x1b[5 q"

var repaintStreams = []struct{ name, in string }{
	{"empty", ""},
	{"text", "hello\r\nworld"},
	{"pending wrap", strings.Repeat("x", 20)},
	{"pending wrap on wide", strings.Repeat("x", 18) + "日"},
	{"styles and erase", "\x1b[1;4:3;58;5;3;38;2;1;2;3mA\x1b[44m\x1b[K\r\n\x1b[7m \x1b[0m \x1b[45m\x1b[2X"},
	{"combining and wide", "e\u0301日\u0301😀 x"},
	{"alt screen over main", "main\r\nscreen\x1b[2;3H\x1b[32m\x1b[?1049h\x1b[H\x1b[41malt\x1b[0m"},
	{"alt screen with its own saved cursor", "m\x1b[?1049hA\x1b[3;3H\x1b[1m\x1b7\x1b[1;1H\x1b[0m"},
	{"saved cursor", "\x1b[3;4H\x1b[33m\x1b7\x1b[1;1H\x1b[0m"},
	{"saved cursor at pending wrap", strings.Repeat("y", 20) + "\x1b7\x1b[H"},
	{"modes", "\x1b[?1h\x1b=\x1b[?1002h\x1b[?1006h\x1b[?1015h\x1b[?1005h\x1b[?2004h\x1b[?1004h\x1b[?25l\x1b[4h\x1b[20h\x1b[?5h\x1b[3 q"},
	{"mouse x10", "\x1b[?9h"},
	{"keyboard protocols", "\x1b[>4;2m\x1b[>1u\x1b[>5u"},
	{"no autowrap", "\x1b[?7l" + strings.Repeat("z", 30)},
	{"scroll region", "\x1b[2;4r\x1b[3;5Hx"},
	{"origin mode", "\x1b[2;4r\x1b[?6h\x1b[2;5Hx"},
	{"tab stops", "\x1b[3g\x1b[1;4H\x1bH\x1b[1;13H\x1bH"},
	{"title", "\x1b]2;my title\a"},
	{"title with controls", "\x1b]0;a\x1b[31mb\x07"},
	{"charsets", "\x1b)0\x0e"},
	{"dec graphics text", "\x1b(0lqqk\x1b(B"},
	{"blank title", "\x1b]2;x\a\x1b]2;\a"},
}

func TestRepaintRoundTrip(t *testing.T) {
	streams := repaintStreams
	for _, tc := range tmuxCases {
		streams = append(streams, struct{ name, in string }{"tmux case " + tc.name, tc.stream})
	}
	for _, tc := range streams {
		t.Run(tc.name, func(t *testing.T) {
			orig := New(20, 6, 100)
			orig.Write([]byte(tc.in))
			for _, garbage := range []string{"", repaintGarbage} {
				got := New(20, 6, 100)
				got.Write([]byte(garbage))
				got.Write(orig.AppendRepaint(nil))
				for _, d := range firstN(stateDiff(orig, got), 10) {
					t.Errorf("after %q: %s", garbage, d)
				}
				// A second repaint of the copy must be byte-identical.
				if a, b := string(orig.AppendRepaint(nil)), string(got.AppendRepaint(nil)); a != b {
					t.Errorf("after %q: repaint of the copy differs:\n%q\n%q", garbage, a, b)
				}
			}
		})
	}
}

func TestRepaintAltScreenRevealsMain(t *testing.T) {
	orig := New(20, 4, 10)
	orig.Write([]byte("main line\r\n\x1b[31mred\x1b[?1049h\x1b[Halt screen"))
	got := New(20, 4, 10)
	got.Write(orig.AppendRepaint(nil))
	if got := got.Lines()[0]; got != "alt screen" {
		t.Errorf("alt row 0: got %q; want %q", got, "alt screen")
	}
	leave := []byte("\x1b[?1049lX")
	orig.Write(leave)
	got.Write(leave)
	if a, b := screenText(orig), screenText(got); a != b || a != "main line\nredX" {
		t.Errorf("after leaving alt: got %q; want %q (and %q)", b, "main line\nredX", a)
	}
	if orig.pen != got.pen {
		t.Errorf("pen after leaving alt: got %+v; want %+v", got.pen, orig.pen)
	}
}

func TestRepaintMinimalSGR(t *testing.T) {
	s := New(20, 1, 0)
	s.Write([]byte("\x1b[31mab\x1b[32mcd\x1b[32mef\x1b[0m"))
	got := string(s.AppendRepaint(nil))
	if want := "\x1b[31mab\x1b[32mcdef\x1b[0m\x1b[K"; !strings.Contains(got, want) {
		t.Errorf("repaint got %q; want it to contain %q", got, want)
	}
}
