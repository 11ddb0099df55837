package screen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// wantView builds, cell by cell and apart from the renderer, the terminal
// that v's last frame of s should leave: s's cells from v's offset, cut at
// the terminal's size with no half wide character at an edge, blank past
// the screen, the note over them, and the cursor where the screen's is.
func wantView(s *Screen, v *View, cols, rows int) *Screen {
	w := New(cols, rows, 0)
	ox, oy := v.Offset()
	for y := range rows {
		for x := range cols {
			gx, gy := ox+x, oy+y
			c := blank(0)
			if gx < s.cols && gy < s.rows {
				c = s.cur.rows[gy][gx]
				if (x == 0 && c.width == 0) || (x == cols-1 && c.width == 2) {
					c = blank(c.style.bg)
				}
			}
			comb := s.combBytes(&c)
			c.comb = 0
			w.main.rows[y][x] = c
			if len(comb) > 0 {
				w.setComb(&w.main.rows[y][x], comb)
			}
		}
	}
	if text, nx, ny := v.Note(); text != "" {
		st := style{attr: attrFaint}
		if strings.Contains(text, " of") || cols < s.cols || rows < s.rows {
			st = style{attr: attrReverse}
		}
		row := w.main.rows[ny]
		for i := range len(text) {
			row[nx+i] = cell{r: rune(text[i]), width: 1, style: st}
		}
		if nx > 0 && row[nx-1].width == 2 {
			row[nx-1] = blank(row[nx-1].style.bg)
		}
		if end := nx + len(text); end < cols && row[end].width == 0 {
			row[end] = blank(row[end].style.bg)
		}
	}
	w.cx, w.cy = s.cx-ox, s.cy-oy
	return w
}

// viewDiff lists how client, a terminal that was sent every frame of v,
// differs from what it should show of s.
func viewDiff(s *Screen, v *View, client *Screen) []string {
	cols, rows := client.Size()
	want := wantView(s, v, cols, rows)
	all := make([]int, rows)
	for i := range all {
		all[i] = cols
	}
	d := diffCells(want, client, all)
	if client.cx != want.cx || client.cy != want.cy {
		d = append(d, fmt.Sprintf("cursor at %d,%d; want %d,%d", client.cx, client.cy, want.cx, want.cy))
	}
	if want.cx < 0 || want.cx >= cols || want.cy < 0 || want.cy >= rows {
		d = append(d, fmt.Sprintf("the screen's cursor %d,%d is outside the view from %d,%d", s.cx, s.cy, want.cx, want.cy))
	}
	if client.altActive != s.altActive {
		d = append(d, fmt.Sprintf("alternate screen %v; want %v", client.altActive, s.altActive))
	}
	if got, w := viewModes(client.m), viewModes(s.m); got != w {
		d = append(d, fmt.Sprintf("modes %+v; want %+v", got, w))
	}
	if client.title != s.title {
		d = append(d, fmt.Sprintf("title %q; want %q", client.title, s.title))
	}
	if text, nx, ny := v.Note(); text != "" {
		tx, ty := want.cx, want.cy
		if ny == ty && tx >= nx && tx < nx+len(text) {
			d = append(d, fmt.Sprintf("note %q at %d,%d covers the cursor", text, nx, ny))
		}
		if ny == ty && nx < min(cols, s.cols) && ny < min(rows, s.rows) {
			d = append(d, fmt.Sprintf("note %q at %d,%d hides part of the cursor's row", text, nx, ny))
		}
	}
	return d
}

func TestView(t *testing.T) {
	tests := []struct {
		name         string
		cols, rows   int // the screen
		in           string
		vcols, vrows int // the terminal
		want         []string
		x, y         int // the offset
		note         string
	}{
		{
			name: "lines cut at the width, panned to the cursor", cols: 20, rows: 6,
			in:    "aaaaaaaaaaAAAAAAAAAA\r\nbbbbbbbbbbBBBBBBBBBB\r\nc\r\nd\r\ne\r\n> ",
			vcols: 16, vrows: 4, x: 0, y: 2, note: "[16x4 of 20x6]",
			want: []string{"c [16x4 of 20x6]", "d", "e", ">"},
		},
		{
			name: "wide lines cut, not wrapped", cols: 20, rows: 4,
			in:    "aaaaaaaaaaaaaaaaaaXY\r\nbbbbbbbbbbbbbbbbbbXY\r\n\r\n",
			vcols: 18, vrows: 4, x: 0, y: 0, note: "[18x4 of 20x4]",
			want: []string{"aaaa[18x4 of 20x4]", "bbbbbbbbbbbbbbbbbb", "", ""},
		},
		{
			name: "a bigger terminal: the screen at the top left, the rest blank", cols: 20, rows: 4,
			in:    "hello\r\nworld",
			vcols: 30, vrows: 6, x: 0, y: 0, note: "[20x4]",
			want: []string{"hello                   [20x4]", "world", "", "", "", ""},
		},
		{
			name: "taller only: the note in the blank rows", cols: 20, rows: 3,
			in:    "hello",
			vcols: 20, vrows: 5, x: 0, y: 0, note: "[20x3]",
			want: []string{"hello", "", "", "", "              [20x3]"},
		},
		{
			name: "half wide characters at both edges are blank", cols: 20, rows: 3,
			in:    "\r\n日本語日本語日本語日本\x1b[3;19H",
			vcols: 16, vrows: 3, x: 3, y: 0, note: "[16x3 of 20x3]",
			want: []string{"  [16x3 of 20x3]", " 語日本語日本語", ""},
		},
		{
			name: "the cursor on the top row: the note at the bottom", cols: 20, rows: 6,
			in:    "top\x1b[H",
			vcols: 16, vrows: 4, x: 0, y: 0, note: "[16x4 of 20x6]",
			want: []string{"top", "", "", "  [16x4 of 20x6]"},
		},
		{
			name: "a status line under the prompt stays in view", cols: 20, rows: 10,
			in:    "l0\r\nl1\r\nl2\r\nl3\r\nl4\r\nl5\x1b[10;1Hstatus\x1b[8;1H> ",
			vcols: 16, vrows: 4, x: 0, y: 6, note: "[16x4 of 20x10]",
			want: []string{" [16x4 of 20x10]", ">", "", "status"},
		},
		{
			name: "content far below: the view starts at the top", cols: 20, rows: 10,
			in:    "header\x1b[10;1Hstatus\x1b[2;1H> ",
			vcols: 16, vrows: 4, x: 0, y: 0, note: "[16x4 of 20x10]",
			want: []string{"h[16x4 of 20x10]", ">", "", ""},
		},
		{
			name: "a cursor past the width pans right", cols: 40, rows: 4,
			in:    "0123456789abcdefghijklmnopqrstuvwxyzABCD\x1b[2;31H",
			vcols: 20, vrows: 4, x: 11, y: 0, note: "[20x4 of 40x4]",
			want: []string{"bcdefg[20x4 of 40x4]", "", "", ""},
		},
		{
			name: "same size: no note", cols: 20, rows: 4,
			in:    "hello",
			vcols: 20, vrows: 4, x: 0, y: 0, note: "",
			want: []string{"hello", "", "", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.cols, tt.rows, 100)
			s.Write([]byte(tt.in))
			var v View
			client := New(tt.vcols, tt.vrows, 0)
			client.Write(s.AppendView(nil, &v, tt.vcols, tt.vrows))
			if got := client.Lines(); !equalLines(got, tt.want) {
				t.Errorf("terminal:\ngot:\n%swant:\n%s", joinRows(got), joinRows(tt.want))
			}
			if x, y := v.Offset(); x != tt.x || y != tt.y {
				t.Errorf("offset: got %d,%d; want %d,%d", x, y, tt.x, tt.y)
			}
			if note, _, _ := v.Note(); note != tt.note {
				t.Errorf("note: got %q; want %q", note, tt.note)
			}
			if d := viewDiff(s, &v, client); len(d) > 0 {
				t.Errorf("view: %v", firstN(d, 5))
			}
			if again := s.AppendView(nil, &v, tt.vcols, tt.vrows); len(again) != 0 {
				t.Errorf("a frame with nothing changed: got %q; want nothing", again)
			}
		})
	}
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestViewDiff: a frame after a change carries the changed rows only, and
// the cursor; the terminal ends up right.
func TestViewDiff(t *testing.T) {
	s := New(100, 30, 100)
	for i := range 30 {
		fmt.Fprintf(&writer{s}, "\x1b[%d;1Hrow %02d %s", i+1, i, strings.Repeat("=", 80))
	}
	s.Write([]byte("\x1b[30;1H"))
	var v View
	client := New(60, 20, 0)
	full := s.AppendView(nil, &v, 60, 20)
	client.Write(full)
	_, y0 := v.Offset()

	s.Write([]byte("\x1b[25;1Hchanged"))
	frame := s.AppendView(nil, &v, 60, 20)
	client.Write(frame)
	if _, y := v.Offset(); y != y0 {
		t.Fatalf("offset moved from %d to %d with the cursor in view", y0, y)
	}
	if !bytes.Contains(frame, []byte("changed")) {
		t.Errorf("diff %q does not carry the change", frame)
	}
	if n := bytes.Count(frame, []byte(";1H")); n != 1 {
		t.Errorf("diff repaints %d rows; want 1: %q", n, frame)
	}
	if len(frame) >= len(full)/4 {
		t.Errorf("diff is %d bytes, the full frame %d; want far less", len(frame), len(full))
	}
	if d := viewDiff(s, &v, client); len(d) > 0 {
		t.Errorf("after the diff: %v", firstN(d, 5))
	}

	// Only the cursor moves: a frame of one CUP.
	s.Write([]byte("\x1b[24;3H"))
	frame = s.AppendView(nil, &v, 60, 20)
	if want := "\x1b[?2026h\x1b[" + fmt.Sprint(24-y0) + ";3H\x1b[?2026l"; string(frame) != want {
		t.Errorf("cursor move: got %q; want %q", frame, want)
	}
	client.Write(frame)

	// Reset repaints everything.
	v.Reset()
	client.Write([]byte("garbage\x1b[?1049h\x1b[5;5Hmore"))
	client.Write(s.AppendView(nil, &v, 60, 20))
	if d := viewDiff(s, &v, client); len(d) > 0 {
		t.Errorf("after Reset: %v", firstN(d, 5))
	}
}

// writer adapts a Screen to io.Writer for fmt.Fprintf.
type writer struct{ s *Screen }

func (w *writer) Write(p []byte) (int, error) { return w.s.Write(p) }

// TestViewSticky: the view stays put while the cursor is in it and moves
// when the cursor leaves it.
func TestViewSticky(t *testing.T) {
	s := New(20, 10, 0)
	s.Write([]byte("l0\r\nl1\r\nl2\r\nl3\r\nl4\r\nl5\x1b[10;1Hstatus\x1b[8;1H> "))
	var v View
	client := New(16, 4, 0)
	steps := []struct {
		name string
		in   string
		y    int
	}{
		{"start: prompt and status line", "", 6},
		{"cursor up, still in view", "\x1b[7;1H", 6},
		{"cursor down, still in view", "\x1b[10;1H", 6},
		{"cursor above the view", "\x1b[3;1H", 2},
		{"cursor back down, in view", "\x1b[5;1H", 2},
		{"cursor below the view again", "\x1b[9;1H", 6},
		// A program that redraws higher up (Claude after a resize) with
		// the cursor still in the view: the view does not stay on the
		// blank rows left below while what is above is hidden.
		{"redrawn higher, the cursor still in view", "\x1b[2J\x1b[Hl0\r\nl1\r\nl2\r\nl3\r\nl4\r\nl5\r\n> ", 3},
		{"cursor up, still in view, nothing blank below", "\x1b[5;1H", 3},
	}
	for _, st := range steps {
		s.Write([]byte(st.in))
		client.Write(s.AppendView(nil, &v, 16, 4))
		if _, y := v.Offset(); y != st.y {
			t.Errorf("%s: offset row %d; want %d", st.name, y, st.y)
		}
		if d := viewDiff(s, &v, client); len(d) > 0 {
			t.Errorf("%s: %v", st.name, firstN(d, 5))
		}
	}
}

// TestViewModes: the terminal gets the screen's modes, the alternate
// screen and the title, and again when they change.
func TestViewModes(t *testing.T) {
	s := New(40, 10, 0)
	s.Write([]byte("main text\r\n\x1b[?1002h\x1b[?1006h\x1b[?2004h\x1b[?1h\x1b=\x1b]2;a title\a\x1b[5 q\x1b[>1u"))
	var v View
	client := New(30, 8, 0)
	check := func(when string) {
		t.Helper()
		client.Write(s.AppendView(nil, &v, 30, 8))
		if d := viewDiff(s, &v, client); len(d) > 0 {
			t.Errorf("%s: %v", when, firstN(d, 5))
		}
	}
	check("first frame")
	s.Write([]byte("\x1b[?1049h\x1b[HALT\x1b[?25l"))
	check("alternate screen")
	s.Write([]byte("\x1b[?1002l\x1b[?2004l\x1b]2;other\a"))
	check("modes off")
	s.Write([]byte("\x1b[?1049l\x1b[?25h"))
	check("back to the main screen")
	if !strings.Contains(client.Lines()[0], "main text") {
		t.Errorf("main screen after the alternate one: %q", client.Lines())
	}
}

// TestViewResize: the terminal or the screen changing size gives a full,
// right frame.
func TestViewResize(t *testing.T) {
	s := New(50, 12, 100)
	for i := range 12 {
		fmt.Fprintf(&writer{s}, "\x1b[%d;1H%02d %s", i+1, i, strings.Repeat("x", 45))
	}
	var v View
	client := New(30, 8, 0)
	client.Write(s.AppendView(nil, &v, 30, 8))
	for _, sz := range []struct{ gc, gr, vc, vr int }{
		{50, 12, 60, 20}, {50, 12, 20, 5}, {25, 6, 20, 5}, {25, 6, 40, 10}, {80, 30, 40, 10},
	} {
		s.Resize(sz.gc, sz.gr)
		client.Resize(sz.vc, sz.vr)
		client.Write(s.AppendView(nil, &v, sz.vc, sz.vr))
		if d := viewDiff(s, &v, client); len(d) > 0 {
			t.Errorf("screen %dx%d, terminal %dx%d: %v", sz.gc, sz.gr, sz.vc, sz.vr, firstN(d, 5))
		}
	}
}

// randomStream writes n random pieces of terminal output: text, wide and
// combining characters, styles, cursor moves, erasing, scrolling, modes,
// titles and the alternate screen.
func randomStream(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	pieces := []func(){
		func() { b.WriteString(strings.Repeat(string(rune('a'+r.IntN(26))), 1+r.IntN(50))) },
		func() { b.WriteString("日本語"[:3*(1+r.IntN(3))]) },
		func() { b.WriteString("e\u0301") },
		func() { b.WriteString("\r\n") },
		func() { fmt.Fprintf(&b, "\x1b[%d;%dH", 1+r.IntN(40), 1+r.IntN(120)) },
		func() { fmt.Fprintf(&b, "\x1b[%d;%dm", 31+r.IntN(7), 41+r.IntN(7)) },
		func() { fmt.Fprintf(&b, "\x1b[%dm", []int{0, 1, 4, 7, 22, 27}[r.IntN(6)]) },
		func() { fmt.Fprintf(&b, "\x1b[%dK", r.IntN(3)) },
		func() { fmt.Fprintf(&b, "\x1b[%dJ", r.IntN(3)) },
		func() { fmt.Fprintf(&b, "\x1b[%dS", 1+r.IntN(3)) },
		func() { b.WriteString([]string{"\x1b[?1049h", "\x1b[?1049l"}[r.IntN(2)]) },
		func() {
			b.WriteString([]string{"\x1b[?25l", "\x1b[?25h", "\x1b[?1000h", "\x1b[?1000l", "\x1b[?2004h", "\x1b=", "\x1b>"}[r.IntN(7)])
		},
		func() { fmt.Fprintf(&b, "\x1b]2;title %d\a", r.IntN(5)) },
		func() { fmt.Fprintf(&b, "\x1b[%d;%dr", 1+r.IntN(5), 6+r.IntN(20)) },
	}
	for range n {
		pieces[r.IntN(len(pieces))]()
	}
	return b.Bytes()
}

// TestViewProperty: a terminal that gets every frame, started fresh, shows
// the screen clipped to its size, whatever the output, sizes and resizes.
func TestViewProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		s := New(20+r.IntN(100), 5+r.IntN(35), 50)
		vc, vr := 20+r.IntN(100), 5+r.IntN(35)
		client := New(vc, vr, 0)
		var v View
		for step := range 30 {
			s.Write(randomStream(r, 1+r.IntN(20)))
			switch r.IntN(12) {
			case 0:
				s.Resize(20+r.IntN(100), 5+r.IntN(35))
			case 1:
				vc, vr = 20+r.IntN(100), 5+r.IntN(35)
				client.Resize(vc, vr)
			}
			client.Write(s.AppendView(nil, &v, vc, vr))
			if d := viewDiff(s, &v, client); len(d) > 0 {
				gc, gr := s.Size()
				t.Fatalf("iteration %d step %d, screen %dx%d, terminal %dx%d: %v", iter, step, gc, gr, vc, vr, firstN(d, 5))
			}
		}
	}
}

func FuzzView(f *testing.F) {
	for _, tc := range repaintStreams {
		f.Add([]byte(tc.in), uint8(12), uint8(4), uint8(5))
	}
	f.Add([]byte("aaaaaaaaaaAAAAAAAAAA\r\nb\x1b[?1049h日本語\x1b[9;1Hstatus\x1b[2;3H"), uint8(10), uint8(3), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, vcols, vrows, chunk uint8) {
		s := New(24, 8, 20)
		s.SetQueryFunc(func(q []byte) {
			if len(q) < 3 || q[0] != 0x1b || len(q) > maxOSCBytes+4 {
				t.Fatalf("query %q", q)
			}
		})
		vc, vr := 1+int(vcols)%40, 1+int(vrows)%14
		client := New(vc, vr, 0)
		var v View
		step := 1 + int(chunk)%32
		for i := 0; i < len(data); i += step {
			s.Write(data[i:min(i+step, len(data))])
			if data[i] == '~' {
				// Sizes from the data itself; the screen clamps them.
				s.Resize(int(data[min(i+1, len(data)-1)])%45, int(data[min(i+2, len(data)-1)])%14)
			}
			client.Write(s.AppendView(nil, &v, vc, vr))
			if d := viewDiff(s, &v, client); len(d) > 0 {
				t.Fatalf("after %d bytes: %v", min(i+step, len(data)), firstN(d, 5))
			}
		}
	})
}

// TestViewTmux: a real terminal of the view's size (tmux) shows frames of
// a bigger and a smaller screen as the model says it should.
func TestViewTmux(t *testing.T) {
	ts := newTmux(t)
	r := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		name         string
		cols, rows   int
		vcols, vrows int
		in           []byte
	}{
		{"smaller, wide lines", 100, 30, 60, 20, []byte(strings.Repeat("S--"+strings.Repeat("\x1b[1;32m-\x1b[0m", 80)+"E\r\n", 35) + "> ")},
		{"bigger", 40, 10, 60, 20, []byte("\x1b[44mblue\x1b[K\x1b[0m\r\n日本語 e\u0301\r\n> ")},
		{"smaller, random", 90, 30, 50, 15, randomStream(r, 200)},
		{"bigger, random", 30, 8, 50, 15, randomStream(r, 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.cols, tt.rows, 100)
			var v View
			var stream []byte
			// Frames as the output arrives, so that the stream has diffs.
			for i := 0; i < len(tt.in); i += 97 {
				s.Write(tt.in[i:min(i+97, len(tt.in))])
				stream = s.AppendView(stream, &v, tt.vcols, tt.vrows)
			}
			got := ts.run(stream, tt.vcols, tt.vrows)
			gotModel, emitted := captureModel(got.styled, tt.vcols, tt.vrows)
			want := wantView(s, &v, tt.vcols, tt.vrows)
			if d := diffCells(want, gotModel, emitted); len(d) > 0 {
				t.Errorf("tmux shows:\n%swant:\n%s%v", joinRows(got.plain), joinRows(want.Lines()), firstN(d, 5))
			}
			if got.flags.cursorX != want.cx || got.flags.cursorY != want.cy {
				t.Errorf("tmux cursor %d,%d; want %d,%d", got.flags.cursorX, got.flags.cursorY, want.cx, want.cy)
			}
			if got.flags.alternate != s.altActive {
				t.Errorf("tmux alternate screen %v; want %v", got.flags.alternate, s.altActive)
			}
		})
	}
}
