package screen

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The tmux comparison. For every stream below:
//
//  1. tmux shows the stream in a fresh pane; the model reads the same bytes.
//     Every row's plain text must match, and every cell (character, width,
//     combining marks, style) must match: tmux's styled capture
//     (capture-pane -e) is fed into a fresh model and compared cell by cell
//     with the original model. The cursor, the modes and the scroll region
//     must match tmux's formats.
//  2. The reattach guarantee: a pane is filled with garbage (another screen,
//     modes, a scroll region, the alternate screen, a title) and then gets
//     the model's AppendRepaint. Its capture, cursor and modes must equal
//     those of the pane that saw the original stream.
//  3. Both panes then get the same probe (text, line feeds that scroll,
//     DECRC, leaving the alternate screen): their captures must still be
//     equal, so the repaint restored the pen, pending wrap, scroll region,
//     saved cursor and the main screen under the alternate one.

// tmuxCases are the streams compared with tmux. They leave out what tmux
// 3.3a does differently from xterm, which the model follows and the unit
// tests cover: CHT, HPR, VPR and DECSTR (ignored by tmux), REP of a
// non-ASCII character (tmux repeats ASCII only), writing over or deleting
// part of a wide character (tmux keeps the other half), RIS in the
// alternate screen (tmux stays there), CSI T with five parameters (tmux
// scrolls), DECRC after 1049 with no DECSC (xterm shares the slot; tmux
// does not), and queries (tmux answers them and the pane's tty echoes the
// answer).
var tmuxCases = []struct {
	name       string
	cols, rows int
	stream     string
}{
	{name: "colours", cols: 80, rows: 24, stream: "plain \x1b[1mbold\x1b[22m \x1b[2mfaint\x1b[22m \x1b[3mitalic\x1b[23m " +
		"\x1b[4munder\x1b[24m \x1b[4:3mcurly\x1b[4:0m \x1b[21mdouble\x1b[24m \x1b[5mblink\x1b[25m \x1b[7mrev\x1b[27m " +
		"\x1b[8mhid\x1b[28m \x1b[9mstrike\x1b[29m \x1b[53mover\x1b[55m\r\n" + sgrPalette() +
		"\x1b[38;5;196m256fg\x1b[48;5;22m256bg\x1b[0m \x1b[38;2;255;128;0mrgb\x1b[48;2;0;0;90mrgbbg\x1b[0m " +
		"\x1b[38:2::10:20:30mcolon\x1b[38:5:99mcolon256\x1b[0m \x1b[4;58;5;9mulcolour\x1b[59mnoul\x1b[0m " +
		"\x1b[1;3;4;7;31;42mmany\x1b[22;23mfewer\x1b[39;49mdefault\x1b[m\r\n" +
		"\x1b[1;31mbold red\x1b[0;2;91mfaint bright\x1b[m"},
	{name: "wide and combining", cols: 40, rows: 12, stream: "日本語テキスト\r\nemoji 😀🎉 done\r\n" +
		"combining e\u0301 a\u0308\u0323 x \u0915\u094d\u0937\r\n" +
		"0123456789012345678901234567890123456789日本\r\n" +
		"日本\x1b[5;1Hx\x1b[6;1H日本\x1b[6;3Hy\x1b[7;1Hab日cd\x1b[7;3H\x1b[31mZ\x1b[m\r\n" +
		"\x1b[8;1H\x1b[44m漢\x1b[0m字 ok\x1b[9;39H日x"},
	{name: "scroll region", cols: 40, rows: 20, stream: numbered(20, "line") +
		"\x1b[5;15r\x1b[15;1H\nA\nB\nC\x1b[5;1H\x1bMtop\x1bM\x1bMRI\x1b[10;1H\x1bDind\x1bEnel" +
		"\x1b[2S\x1b[1T\x1b[44m\x1b[1S\x1b[0m\x1b[12;3H"},
	{name: "alternate screen enter and leave", cols: 40, rows: 10, stream: "main text\r\nmore \x1b[31mred" +
		"\x1b[?1049h\x1b[32malt content\x1b[5;10Halt2\x1b[?1049lback\x1b7\r\n\x1b[?47halt47\x1b[?47l\x1b[?1047hx\x1b[?1047l!"},
	{name: "alternate screen active", cols: 40, rows: 10, stream: numbered(12, "main") + "\x1b[3;7H\x1b[1;33m" +
		"\x1b[?1049h\x1b[44m\x1b[2J\x1b[H╭────╮\r\n│ alt │\r\n╰────╯\x1b[0m\x1b[8;5H\x1b[7mstatus\x1b[0m\x1b[6;2H\x1b7\x1b[9;9H"},
	{name: "line wrap", cols: 30, rows: 8, stream: strings.Repeat("abcdefghij", 7) + "\r\n" +
		strings.Repeat("x", 30) + "\x1b[?7l\r\n" + strings.Repeat("0123456789", 4) + "\x1b[?7h\r\n" +
		strings.Repeat("w", 29) + "日" + "\r\n" + strings.Repeat("p", 30)},
	{name: "pending wrap then CR", cols: 30, rows: 6, stream: strings.Repeat("q", 30) + "\rX\x1b[3;1H" +
		strings.Repeat("r", 30) + "\bB" + "\x1b[5;1H" + strings.Repeat("s", 30) + "e\u0301"},
	{name: "erase", cols: 40, rows: 16, stream: filled(40, 16) + "\x1b[2;10H\x1b[0K\x1b[3;10H\x1b[1K\x1b[4;10H\x1b[2K" +
		"\x1b[44m\x1b[5;10H\x1b[5X\x1b[0m\x1b[7;20H\x1b[1J\x1b[12;20H\x1b[42m\x1b[0J\x1b[0m\x1b[13;1Hafter\x1b[6;30H\x1b[45m\x1b[K\x1b[m"},
	{name: "insert and delete", cols: 40, rows: 16, stream: filled(40, 16) + "\x1b[3;5H\x1b[3@\x1b[4;5H\x1b[3P" +
		"\x1b[6;1H\x1b[2L\x1b[10;1H\x1b[3M\x1b[12;16r\x1b[13;1H\x1b[41m\x1b[2L\x1b[15;1H\x1b[1M\x1b[0m\x1b[r" +
		"\x1b[2;1H日本語テキスト\x1b[2;5H\x1b[2P\x1b[1;1H日本語\x1b[1;3H\x1b[1@\x1b[7;78H\x1b[5@"},
	{name: "claude-like frame", cols: 80, rows: 24, stream: claudeFrame()},
	// The raw output of a real Claude Code 2.1.330 session run through warren
	// (trust dialog, API-key dialog, prompt, typed text, mode changes),
	// recorded with `warren history --raw`.
	{name: "recorded Claude Code session", cols: 100, rows: 30, stream: recorded("testdata/claude-session.raw")},
	{name: "cursor movement", cols: 40, rows: 20, stream: "\x1b[10;10HA\x1b[3AB\x1b[2BC\x1b[5CD\x1b[3DE\x1b[2EF" +
		"\x1b[1FG\x1b[20GH\x1b[15dI\x1b[3;4fJ\tK\t\tL\bM\x1b[2ZN\x1b[HP\x1b[3g\x1b[1;5H\x1bH\x1b[1;30H\x1bH" +
		"\x1b[2;1H\tT\tU\x1b[100;100HZ\x1b[99999999;99999999HY\x1b[18;1H\x1b[5`Q\x1b[0;0H\x1b[5;5H"},
	{name: "save restore and origin", cols: 40, rows: 20, stream: "\x1b[5;5H\x1b[1;32mX\x1b7\x1b[10;10H\x1b[0mY" +
		"\x1b8Z\x1b[s\x1b[15;20H\x1b[34mW\x1b[uV\x1b[5;15r\x1b[?6h\x1b[1;1HO\x1b[20;1HP\x1b[3;3H\x1b[0mQ"},
	{name: "insert mode and repeat", cols: 40, rows: 8, stream: "abcdef\x1b[1;3H\x1b[4hXY\x1b[4l\r\nq\x1b[5b\r\n日" +
		"\r\n\x1b[4h" + strings.Repeat("i", 45) + "\x1b[4l"},
	{name: "scrollback", cols: 30, rows: 8, stream: numbered(40, "history") + "\x1b[31m\x1b[3Sred\x1b[m\r\n"},
	{name: "clear screen", cols: 30, rows: 8, stream: numbered(5, "before") + "\x1b[2J\x1b[Hcleared\r\n" +
		"\x1b[41m\x1b[2J\x1b[m\x1b[3;3Hx"},
	{name: "resets", cols: 30, rows: 8, stream: "text\x1b[31m\x1b[?25l\x1b[5;7r\x1b[4hmore\r\n" +
		"\x1b[?1h\x1b=\x1b[?1002h\x1b[?1006h\x1b[?2004h\x1b[?1004hmodes on"},
	{name: "ris", cols: 30, rows: 8, stream: "text\x1b[31m\x1b[5;7r\x1b[?1h\x1b[?25l\x1b[4hmore\x1bcafter\x1b[1;32mgreen"},
	{name: "modes left on", cols: 30, rows: 8, stream: "\x1b[?1h\x1b=\x1b[?1003h\x1b[?1006h\x1b[?25l\x1b[4h\x1b[?7l" +
		"\x1b[3;6r\x1b[?6h\x1b[2;2Hhi"},
	{name: "split escapes and utf8", cols: 30, rows: 8, stream: "a\x1b[3" + "1mred\x1b" + "[0m \xe6\x97" + "\xa5\xe6" + "\x9c\xac"},
	{name: "unknown sequences", cols: 30, rows: 8, stream: "a\x1b[>4;2mb\x1bPq#0;2;0;0;0#0~~@@vv@@~~\x1b\\c\x1b_apc\x1b\\d" +
		"\x1b]999;x\a\x1b]8;;http://x\x1b\\f\x1b]8;;\ag\x1b[?2026h\x1b[?2026l\x1b[>1uh\x1b[<u\x1b[=5;1ui\x1b[1 q\x1b[?1;2$pj"},
}

func sgrPalette() string {
	var b strings.Builder
	for i := range 8 {
		fmt.Fprintf(&b, "\x1b[%dmf%d\x1b[%dmF%d\x1b[%dmb%d\x1b[%dmB%d\x1b[0m", 30+i, i, 90+i, i, 40+i, i, 100+i, i)
	}
	b.WriteString("\r\n")
	return b.String()
}

// recorded returns a recorded byte stream from testdata.
func recorded(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(fmt.Sprintf("read recorded stream: %v", err))
	}
	return string(b)
}

func numbered(n int, word string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("\r\n")
		}
		fmt.Fprintf(&b, "%s %d", word, i)
	}
	return b.String()
}

// filled writes a distinct character pattern on every cell.
func filled(cols, rows int) string {
	var b strings.Builder
	b.WriteString("\x1b[H")
	for y := range rows {
		fmt.Fprintf(&b, "\x1b[%d;1H", y+1)
		for x := range cols {
			b.WriteByte(byte('a' + (x+y)%26))
		}
	}
	return b.String()
}

// claudeFrame is a synthetic frame in the style of Claude Code: a rounded
// box with a prompt, coloured output, a dim hint line and a status line.
func claudeFrame() string {
	var b strings.Builder
	b.WriteString("\x1b[?2004h\x1b[?1004h\x1b[?25l")
	b.WriteString("\x1b[38;2;215;119;87m✻\x1b[39m Welcome to \x1b[1mClaude Code\x1b[22m!\r\n\r\n")
	b.WriteString("\x1b[38;5;246m  /help for help, /status for your current setup\x1b[39m\r\n\r\n")
	b.WriteString("\x1b[38;2;136;136;136m> \x1b[39mexplain the screen model\r\n\r\n")
	b.WriteString("\x1b[38;2;255;255;255m⏺\x1b[39m The model keeps a \x1b[1mgrid\x1b[22m of cells; each cell holds a rune,\r\n")
	b.WriteString("  its width and an SGR style. 日本語 works, and so do emoji 🚀.\r\n\r\n")
	b.WriteString("\x1b[38;2;0;204;102m  ⎿  \x1b[39m\x1b[2mRead 3 files (ctrl+r to expand)\x1b[22m\r\n")
	b.WriteString("\x1b[16;1H\x1b[38;2;153;153;153m╭" + strings.Repeat("─", 78) + "╮\x1b[39m\r\n")
	b.WriteString("\x1b[38;2;153;153;153m│\x1b[39m ❯ \x1b[7m \x1b[27m" + strings.Repeat(" ", 73) + "\x1b[38;2;153;153;153m│\x1b[39m\r\n")
	b.WriteString("\x1b[38;2;153;153;153m╰" + strings.Repeat("─", 78) + "╯\x1b[39m\r\n")
	b.WriteString("\x1b[2m  ? for shortcuts\x1b[22m\x1b[60G\x1b[38;5;174m◯ IDE disconnected\x1b[39m\r\n")
	b.WriteString("\x1b[24;1H\x1b[48;5;236m\x1b[K model: opus · 12% context\x1b[49m")
	b.WriteString("\x1b[17;5H\x1b[?25h\x1b]0;✳ Claude Code\a")
	return b.String()
}

// tmuxGarbage leaves a pane in as foreign a state as possible before the
// repaint: other text and colours, a saved cursor, the alternate screen, a
// scroll region, origin and insert modes, no autowrap, input modes, DEC
// graphics and changed tab stops.
const tmuxGarbage = "garbage \x1b[41;1mred bold\r\n\x1b[0m" + "more garbage that is quite long and wraps around the edge" +
	"\x1b[3;3H\x1b7\x1b[?1049h\x1b[42mALT GARBAGE\x1b[2;5r\x1b[?6h\x1b[4h\x1b[?7l\x1b[?1h\x1b=\x1b[?1003h\x1b[?1006h" +
	"\x1b[?25l\x1b(0lqqk\x1b[3g\x1b[1;5H\x1bH\x1b]2;garbage\a\x1b[1;31;4;7m"

// tmuxProbe is written to both panes after the repaint, and
// tmuxProbeAlt too when the alternate screen is active.
const (
	tmuxProbe    = "P\x1b[1BQ\n\n\n\nR\x1b8S"
	tmuxProbeAlt = "\x1b[?1049lT\x1b8U"
)

func TestTmuxComparison(t *testing.T) {
	ts := newTmux(t)
	for _, tc := range tmuxCases {
		t.Run(tc.name, func(t *testing.T) {
			ts.t = t
			m := New(tc.cols, tc.rows, 1000)
			m.Write([]byte(tc.stream))
			orig := ts.run([]byte(tc.stream), tc.cols, tc.rows)

			// 1. The model against tmux.
			if got, want := strings.Join(m.Lines(), "\n"), strings.Join(trimRows(orig.plain), "\n"); got != want {
				t.Errorf("plain text differs\nmodel:\n%s\ntmux:\n%s", joinRows(m.Lines()), joinRows(trimRows(orig.plain)))
			}
			cm, emitted := captureModel(orig.styled, tc.cols, tc.rows)
			for _, d := range firstN(diffCells(m, cm, emitted), 10) {
				t.Errorf("cell: %s", d)
			}
			if got, want := modelFlags(m), orig.flags; got != want {
				t.Errorf("state: got %+v; want %+v", got, want)
			}

			// 2. Garbage, then the repaint, must look like the original.
			repaint := m.AppendRepaint([]byte(tmuxGarbage))
			re := ts.run(repaint, tc.cols, tc.rows)
			comparePanes(t, "repaint", orig, re, tc.cols, tc.rows)

			// 3. The same probe on both keeps them equal.
			probe := tmuxProbe
			if m.AltScreen() {
				probe += tmuxProbeAlt
			}
			op := ts.run([]byte(tc.stream+probe), tc.cols, tc.rows)
			rp := ts.run(append(repaint, probe...), tc.cols, tc.rows)
			comparePanes(t, "repaint+probe", op, rp, tc.cols, tc.rows)
		})
	}
}

// comparePanes checks that got shows what want shows.
func comparePanes(t *testing.T, what string, want, got paneState, cols, rows int) {
	t.Helper()
	if !reflect.DeepEqual(trimRows(got.plain), trimRows(want.plain)) {
		t.Errorf("%s: plain text differs\ngot:\n%s\nwant:\n%s", what, joinRows(trimRows(got.plain)), joinRows(trimRows(want.plain)))
	}
	wm, we := captureModel(want.styled, cols, rows)
	gm, ge := captureModel(got.styled, cols, rows)
	for y := range ge {
		ge[y] = min(ge[y], we[y])
	}
	for _, d := range firstN(diffCells(wm, gm, ge), 10) {
		t.Errorf("%s: cell: %s", what, d)
	}
	if got.flags != want.flags {
		t.Errorf("%s: state: got %+v; want %+v", what, got.flags, want.flags)
	}
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n], fmt.Sprintf("... and %d more", len(s)-n))
	}
	return s
}

// TestTmuxAttach checks the attach recipe documented on AppendScrollback:
// the session's history lands in the client's own scrollback, in order,
// and the screen is the session's screen.
func TestTmuxAttach(t *testing.T) {
	ts := newTmux(t)
	const cols, rows = 30, 6
	m := New(cols, rows, 100)
	m.Write([]byte(numbered(15, "history") + "\x1b[1;32m green\x1b[0m\r\nprompt> "))
	var client []byte
	client = append(client, "old terminal content\r\n\x1b[?1049hin alt\x1b[2;4r\x1b[?6h\x1b[31m"...)
	client = m.AppendAttach(client, 100)
	got := ts.history(client, cols, rows)
	if len(got) < rows {
		t.Fatalf("capture: got %d rows; want at least %d", len(got), rows)
	}
	screen, hist := got[len(got)-rows:], got[:len(got)-rows]
	if !reflect.DeepEqual(screen, m.Lines()) {
		t.Errorf("client screen:\ngot:\n%s\nwant:\n%s", joinRows(screen), joinRows(m.Lines()))
	}
	// The client's history: its old screen, then the session's history.
	// Blank rows (the old screen's empty rows, and those the recipe scrolls
	// away) do not matter.
	var nonBlank []string
	for _, l := range hist {
		if l != "" {
			nonBlank = append(nonBlank, l)
		}
	}
	want := []string{"old terminal content"}
	for i := range m.ScrollbackLen() {
		want = append(want, fmt.Sprintf("history %d", i))
	}
	if !reflect.DeepEqual(nonBlank, want) {
		t.Errorf("client history:\ngot:\n%s\nwant:\n%s", joinRows(nonBlank), joinRows(want))
	}
}
