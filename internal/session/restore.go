package session

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A restored screen is rebuilt from the history, which ends wherever the
// last program was when it ended: maybe on the alternate screen, with a
// scroll region, an odd pen, the cursor inside an input box with rows
// drawn below it. Before the next program writes anything, warren writes
// into the screen model and the history (so that later restarts and
// `history` see it too) a reset of that state, a separator line below
// everything on the screen saying what happened, and scrolls the separator
// to the top so that the program starts on clean rows; the old screen is
// then in the scrollback an attach writes first. warren's own end notices
// are placed the same way, on a clean line below everything.

// resetState undoes what a program can leave behind in a terminal: the
// alternate screen, DECSTR's share (insert and origin modes, autowrap, the
// cursor hidden, cursor keys, scroll region, pen, charsets, saved cursor),
// newline mode, mouse, focus and paste reporting, keyboard protocols and
// the cursor style.
const resetState = "\x1b[?1049l\x1b[!p\x1b[0m\x1b[r\x1b[?6l\x1b[4l\x1b[20l\x1b[?7h\x1b(B\x1b)B\x0f\x1b[?25h" +
	"\x1b[?1l\x1b>\x1b[?9l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?1015l" +
	"\x1b[?1004l\x1b[?2004l\x1b[>4;0m\x1b[<99u\x1b[0 q"

// contentScreen is the optional part of a Screen that says how far down
// its main screen holds anything; *screen.Screen has it. Without it, the
// last row with text counts.
type contentScreen interface {
	ContentRows() int
}

func contentRows(scr Screen) int {
	if c, ok := scr.(contentScreen); ok {
		return c.ContentRows()
	}
	lines := scr.Lines()
	for n := len(lines); n > 0; n-- {
		if strings.TrimSpace(lines[n-1]) != "" {
			return n
		}
	}
	return 0
}

// appendOwnLine appends to dst what puts the cursor of scr, once resetState
// is written, at the start of a clean row below everything on its main
// screen: the row after the last one holding anything, scrolling the
// screen up when that is the bottom row. It returns the row it lands on.
// It ends in "\r\n" unless the screen is blank.
func appendOwnLine(dst []byte, scr Screen) ([]byte, int) {
	n := contentRows(scr)
	if n == 0 {
		return append(dst, "\x1b[H"...), 0
	}
	_, rows := scr.Size()
	dst = appendCUP(dst, n, 1)
	return append(dst, "\r\n"...), min(n, rows-1)
}

func appendCUP(dst []byte, row, col int) []byte {
	dst = append(dst, "\x1b["...)
	dst = strconv.AppendInt(dst, int64(row), 10)
	dst = append(dst, ';')
	dst = strconv.AppendInt(dst, int64(col), 10)
	return append(dst, 'H')
}

// endNotice is what ends a program's output on its screen and in its
// history: the reset, and "[warren: NAME stopped]" or "[warren: NAME exited
// with code N]" on a clean line below everything, then a new line.
func endNotice(scr Screen, workspace string, stopped bool, code int) string {
	b, _ := appendOwnLine([]byte(resetState), scr)
	if stopped {
		b = append(b, stoppedNotice(workspace)...)
	} else {
		b = append(b, exitedNotice(workspace, code)...)
	}
	return string(append(b, "\r\n"...))
}

func stoppedNotice(workspace string) string {
	return "[warren: " + sanitize(workspace) + " stopped]"
}

func exitedNotice(workspace string, code int) string {
	return fmt.Sprintf("[warren: %s exited with code %d]", sanitize(workspace), code)
}

// exitedNoticeRE matches the end of a history whose program exited on its
// own; the first group is the workspace, the second the code.
var exitedNoticeRE = regexp.MustCompile(`\[warren: ([^\]\r\n]*) exited with code (-?\d+)\]\r\n$`)

// lastEnd tells from the end of a history how its last program ended:
// stopped by warren (Stop, Shutdown, a restart) when the stop notice is the
// last thing written, exited on its own when the exit notice is, and, when
// neither is, not seen ending at all: the server died under it.
func lastEnd(hist []byte, workspace string) (stopped, exited bool, code int) {
	if bytes.HasSuffix(hist, []byte(stoppedNotice(workspace)+"\r\n")) {
		return true, false, 0
	}
	tail := hist[max(0, len(hist)-256):]
	if m := exitedNoticeRE.FindSubmatch(tail); m != nil && string(m[1]) == sanitize(workspace) {
		if c, err := strconv.Atoi(string(m[2])); err == nil {
			return false, true, c
		}
	}
	return false, false, 0
}

// separatorText is the line a restored screen shows between the old
// program's screen and the new program: what happened and when, in UTC.
func separatorText(hist []byte, workspace string, restore bool, now time.Time) string {
	stopped, exited, code := lastEnd(hist, workspace)
	verb := "started again"
	if restore {
		verb = "restored"
	}
	var why string
	switch {
	case exited:
		why = fmt.Sprintf("%s exited with code %d", sanitize(workspace), code)
	case stopped && restore:
		why = "a server restart"
	case stopped:
		why = sanitize(workspace) + " was stopped"
	default:
		// No notice: the server ended without seeing the program end.
		why = "a server crash"
	}
	return fmt.Sprintf("warren: %s after %s, %s", verb, why, now.UTC().Format("2006-01-02 15:04 UTC"))
}

// separatorLine frames text as "── text ──…" filling cols columns, or cut
// to them.
func separatorLine(text string, cols int) string {
	s := "── " + text + " "
	if n := utf8.RuneCountInString(s); n < cols {
		return s + strings.Repeat("─", cols-n)
	}
	r := []rune(s)
	return string(r[:max(cols, 0)])
}

// restoreScreen rebuilds scr from the memory contents of hist and returns
// what must follow them, in the screen and in the history, before the new
// program writes anything: the reset, the separator below everything, and
// the scroll that leaves it on the top row with clean rows below it and the
// cursor on the first of them. It writes that into scr itself; the caller
// writes it into the history once the program has started. An empty
// history needs nothing: it returns nil.
func restoreScreen(scr Screen, hist History, workspace string, restore bool, now time.Time) []byte {
	b := hist.AppendTo(nil)
	if len(b) == 0 {
		return nil
	}
	_, _ = scr.Write(b)
	out := []byte(resetState)
	_, _ = scr.Write(out)
	cols, rows := scr.Size()
	out, row := appendOwnLine(out, scr)
	out = append(out, separatorLine(separatorText(b, workspace, restore, now), cols)...)
	// The separator up to the top row: scrolled from the bottom row, the
	// old screen goes into the scrollback.
	if rows > 1 {
		out = appendCUP(out, rows, 1)
		out = append(out, bytes.Repeat([]byte("\n"), row)...)
		out = appendCUP(out, 2, 1)
	} else {
		out = append(out, "\r\n"...)
	}
	_, _ = scr.Write(out[len(resetState):])
	return out
}
