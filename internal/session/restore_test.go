package session

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warren-ssh/warren/internal/screen"
)

var restoreTime = time.Date(2026, 12, 4, 10, 31, 0, 0, time.UTC)

var _ History = (*memHistory)(nil)

// promptBox is what Claude Code leaves on screen while it waits: an input
// box, a footer below it, the cursor back inside the box, colours, bracketed
// paste and mouse reporting on.
const promptBox = "\x1b[?2004h\x1b[?1000h\x1b[?1006h" +
	"earlier output\r\n" +
	"\x1b[38;5;244m┌────────┐\r\n│ > typed│\r\n└────────┘\x1b[39m\r\n" +
	"\x1b[7m footer one \x1b[27m\r\n footer two" +
	"\x1b[3A\x1b[5G\x1b[1;4m"

// memHistory is a History holding what it is given.
type memHistory struct{ bytes.Buffer }

func (h *memHistory) Flush() error                 { return nil }
func (h *memHistory) Run(context.Context)          {}
func (h *memHistory) Close() error                 { return nil }
func (h *memHistory) AppendTo(dst []byte) []byte   { return append(dst, h.Bytes()...) }
func (h *memHistory) history(b string) *memHistory { h.WriteString(b); return h }

func TestSeparatorText(t *testing.T) {
	tests := []struct {
		name    string
		hist    string
		restore bool
		want    string
	}{
		{"orderly stop, server restart", "out\r\n[warren: w stopped]\r\n", true,
			"warren: restored after a server restart, 2026-12-04 10:31 UTC"},
		{"no notice: the server died", "out\r\n> ", true,
			"warren: restored after a server crash, 2026-12-04 10:31 UTC"},
		{"the notice must be the last thing", "[warren: w stopped]\r\nmore output", true,
			"warren: restored after a server crash, 2026-12-04 10:31 UTC"},
		{"another workspace's notice does not count", "[warren: x stopped]\r\n", true,
			"warren: restored after a server crash, 2026-12-04 10:31 UTC"},
		{"a new end notice", "out" + resetState + "\x1b[1;1H\r\n[warren: w stopped]\r\n", true,
			"warren: restored after a server restart, 2026-12-04 10:31 UTC"},
		{"exited", "bye\r\n[warren: w exited with code 3]\r\n", false,
			"warren: started again after w exited with code 3, 2026-12-04 10:31 UTC"},
		{"exited by a signal", "[warren: w exited with code -1]\r\n", false,
			"warren: started again after w exited with code -1, 2026-12-04 10:31 UTC"},
		{"stopped, started again", "[warren: w stopped]\r\n", false,
			"warren: started again after w was stopped, 2026-12-04 10:31 UTC"},
		{"the time is in UTC", "x", true,
			"warren: restored after a server crash, 2026-12-04 10:31 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := restoreTime
			if tt.name == "the time is in UTC" {
				now = restoreTime.In(time.FixedZone("X", 5*3600))
			}
			if got := separatorText([]byte(tt.hist), "w", tt.restore, now); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestSeparatorLine(t *testing.T) {
	tests := []struct {
		name string
		cols int
		want string
	}{
		{"filled to the width", 20, "── restored x ──────"},
		{"exactly", 14, "── restored x "},
		{"cut", 8, "── resto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := separatorLine("restored x", tt.cols)
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// TestRestoreScreen: whatever the old program left, the restored screen has
// the separator on the top row, blank rows below, the cursor on the first
// of them, the old screen in the scrollback above the separator, and none of
// the old program's modes.
func TestRestoreScreen(t *testing.T) {
	sep := "── warren: restored after a server crash, 2026-12-04 10:31 UTC " + strings.Repeat("─", 70-63)
	tests := []struct {
		name       string
		cols, rows int
		hist       string
		wantBack   []string // the end of the scrollback, just above the separator
	}{
		{"prompt box with a footer below the cursor", 70, 10, promptBox,
			[]string{"earlier output", "┌────────┐", "│ > typed│", "└────────┘", " footer one ", " footer two"}},
		{"screen full to the bottom row", 70, 3, "1\r\n2\r\n3\r\n4\x1b[H",
			[]string{"1", "2", "3", "4"}},
		{"alternate screen, scroll region, origin and insert modes", 70, 10,
			"main text\x1b[?1049h\x1b[2J\x1b[3;5r\x1b[?6h\x1b[4h\x1b[?25l\x1b(0full screen",
			[]string{"main text"}},
		{"coloured blank rows count as content", 70, 10, "text\r\n\r\n\x1b[44m\x1b[K\x1b[0m\x1b[H",
			[]string{"text", "", strings.Repeat(" ", 70)}},
		{"nothing on the screen but the scrollback", 70, 3, "1\r\n2\r\n3\r\n4\x1b[2J",
			[]string{"1", "2", "3", "4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := new(memHistory).history(tt.hist)
			scr := screen.New(tt.cols, tt.rows, 1000)
			out := restoreScreen(scr, h, "w", true, restoreTime)
			lines := scr.Lines()
			if lines[0] != sep {
				t.Errorf("top row = %q; want %q", lines[0], sep)
			}
			if !slices.Equal(lines[1:], make([]string, tt.rows-1)) {
				t.Errorf("rows below the separator = %q; want blank", lines[1:])
			}
			x, y, visible := scr.Cursor()
			if x != 0 || y != 1 || !visible {
				t.Errorf("cursor at %d,%d visible=%v; want 0,1 visible", x, y, visible)
			}
			if scr.AltScreen() {
				t.Errorf("still on the alternate screen")
			}
			back := strings.Split(strings.TrimSuffix(string(scr.AppendScrollback(nil, 1000)), "\x1b[0m\r\n"), "\x1b[0m\r\n")
			back = stripSGR(back)
			if len(back) < len(tt.wantBack) || !slices.Equal(back[len(back)-len(tt.wantBack):], tt.wantBack) {
				t.Errorf("scrollback ends %q; want %q", back, tt.wantBack)
			}
			// The old program's modes are gone: a new program writing
			// text gets plain text where it writes it, scrolling the
			// whole screen.
			rep := string(scr.AppendRepaint(nil))
			for _, mode := range []string{"\x1b[?2004h", "\x1b[?1000h", "\x1b[?1006h", "\x1b[4h", "\x1b[?6h", "\x1b[3;5r", "\x1b(0"} {
				if strings.Contains(rep, mode) {
					t.Errorf("repaint sets %q", mode)
				}
			}
			scr.Write([]byte("ab\rX"))
			if got := scr.Lines()[1]; got != "Xb" {
				t.Errorf("new text = %q; want %q", got, "Xb")
			}
			// The same bytes, replayed from the history by a later
			// restore, give the same screen.
			h.Write(out)
			again := screen.New(tt.cols, tt.rows, 1000)
			again.Write(h.AppendTo(nil))
			again.Write([]byte("ab\rX"))
			if !slices.Equal(again.Lines(), scr.Lines()) {
				t.Errorf("replayed: %q; want %q", again.Lines(), scr.Lines())
			}
		})
	}
}

func TestRestoreScreenEmptyHistory(t *testing.T) {
	scr := screen.New(80, 24, 1000)
	if out := restoreScreen(scr, new(memHistory), "w", true, restoreTime); out != nil {
		t.Errorf("got %q; want nothing", out)
	}
	if x, y, _ := scr.Cursor(); x != 0 || y != 0 || scr.ScrollbackLen() != 0 {
		t.Errorf("screen touched: cursor %d,%d, %d scrollback lines", x, y, scr.ScrollbackLen())
	}
}

// TestEndNotice: the notice lands on a clean line below everything the
// program drew, wherever it left its cursor.
func TestEndNotice(t *testing.T) {
	tests := []struct {
		name       string
		rows       int
		in         string
		stopped    bool
		code       int
		wantLines  []string
		wantCursor int
	}{
		{"below a footer", 6, "box\r\nfooter 1\r\nfooter 2\x1b[2A\x1b[3G", true, 0,
			[]string{"box", "footer 1", "footer 2", "[warren: w stopped]", "", ""}, 4},
		{"on the alternate screen", 6, "main\x1b[?1049hfull\r\nscreen", false, 3,
			[]string{"main", "[warren: w exited with code 3]", "", "", "", ""}, 2},
		{"bottom row full: scrolls", 3, "1\r\n2\r\n3\x1b[H", false, 0,
			[]string{"3", "[warren: w exited with code 0]", ""}, 2},
		{"blank screen: top row", 3, "\x1b[2;2H", true, 0,
			[]string{"[warren: w stopped]", "", ""}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scr := screen.New(40, tt.rows, 100)
			scr.Write([]byte(tt.in))
			line := endNotice(scr, "w", tt.stopped, tt.code)
			scr.Write([]byte(line))
			if got := scr.Lines(); !slices.Equal(got, tt.wantLines) {
				t.Errorf("got %q; want %q", got, tt.wantLines)
			}
			if x, y, _ := scr.Cursor(); x != 0 || y != tt.wantCursor {
				t.Errorf("cursor at %d,%d; want 0,%d", x, y, tt.wantCursor)
			}
		})
	}
}

// stripSGR removes SGR sequences from scrollback lines.
func stripSGR(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		var b strings.Builder
		for len(l) > 0 {
			if strings.HasPrefix(l, "\x1b[") {
				if j := strings.IndexByte(l, 'm'); j >= 0 {
					l = l[j+1:]
					continue
				}
			}
			b.WriteByte(l[0])
			l = l[1:]
		}
		out[i] = b.String()
	}
	return out
}

// TestStartRestoresBelowOldScreen: a restored program starts with the
// separator above it and the cursor on the clean row below (it asks for the
// cursor position and gets row 2), and the separator is in the history
// between the old output and the new.
func TestStartRestoresBelowOldScreen(t *testing.T) {
	m, fk := newTestManager(t, func(o *Options) {
		o.Command = prog("query")
		o.NewScreen = func(c, r int) Screen { return screen.New(c, r, 1000) }
	})
	h, _ := fk.openHistory("alice", "w")
	_, _ = h.Write([]byte(promptBox))
	_ = h.Close()
	sp := Spec{Login: "alice", Workspace: "w", Restore: true, Window: Window{Cols: 70, Rows: 12}}
	if err := m.Start(sp); err != nil {
		t.Fatalf("Start: %v", err)
	}
	var lines []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		lines, _ = m.Preview("alice", "w")
		if strings.Contains(strings.Join(lines, "\n"), "reply:") || time.Now().After(deadline) {
			break
		}
	}
	if !strings.HasPrefix(lines[0], "── warren: restored after a server crash, ") || lines[1] != `reply:"\x1b[2;1R"` {
		t.Errorf("screen = %q; want the separator, then the reply for row 2", lines)
	}
	got := string(fk.hist("alice", "w").AppendTo(nil))
	sep := strings.Index(got, "── warren: restored after a server crash, ")
	if !strings.HasPrefix(got, promptBox) || sep < len(promptBox) || strings.Index(got, "reply:") < sep {
		t.Errorf("history = %q; want the old output, the separator, then the program's", got)
	}
}

// TestOwnLinesAloneInText: rendered as text (the history command), the end
// notice and the separator are lines of their own, after everything the
// program drew, its rows below the cursor included.
func TestOwnLinesAloneInText(t *testing.T) {
	scr := screen.New(40, 8, 1000)
	h := new(memHistory).history(promptBox)
	scr.Write([]byte(promptBox))
	notice := endNotice(scr, "w", true, 0)
	h.WriteString(notice)
	scr = screen.New(40, 8, 1000)
	h.Write(restoreScreen(scr, h, "w", true, restoreTime))
	h.WriteString("resumed\r\n> ")

	var got []string
	tx := screen.NewText(40, 8, func(b []byte) error { got = append(got, string(b)); return nil })
	tx.Write(h.Bytes())
	if err := tx.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{"earlier output", "┌────────┐", "│ > typed│", "└────────┘", " footer one", " footer two",
		"[warren: w stopped]", separatorLine(separatorText([]byte(promptBox+notice), "w", true, restoreTime), 40), "resumed", ">"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
}
