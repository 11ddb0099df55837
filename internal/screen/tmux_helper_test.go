package screen

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tmuxServer runs a private tmux server (its own socket, no config) for
// comparing the model with a real terminal emulator.
type tmuxServer struct {
	t    *testing.T
	sock string
	dir  string
	n    int
}

var tmuxServers int

func newTmux(t *testing.T) *tmuxServer {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is required for the screen model comparison tests (install tmux; CI does): %v", err)
	}
	// A socket per server: a killed server may still be exiting when the
	// next test starts one.
	tmuxServers++
	ts := &tmuxServer{t: t, sock: fmt.Sprintf("warren-screen-test-%d-%d", os.Getpid(), tmuxServers), dir: t.TempDir()}
	t.Cleanup(func() { _ = ts.cmd("kill-server").Run() })
	// The server exits with its last session: keep one for the whole test.
	ts.out("new-session", "-d", "-s", "keep", "exec sleep 600")
	return ts
}

func (ts *tmuxServer) cmd(args ...string) *exec.Cmd {
	c := exec.Command("tmux", append([]string{"-L", ts.sock, "-f", "/dev/null"}, args...)...)
	c.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TMUX=")
	return c
}

func (ts *tmuxServer) out(args ...string) string {
	ts.t.Helper()
	b, err := ts.cmd(args...).CombinedOutput()
	if err != nil {
		ts.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, b)
	}
	return string(b)
}

// paneState is what tmux shows after processing a byte stream.
type paneState struct {
	plain  []string // capture-pane -p, one string per row
	styled []string // capture-pane -p -e -N, one string per row
	flags  tmuxFlags
}

// tmuxFlags are the terminal state tmux reports through its formats.
type tmuxFlags struct {
	cursorX, cursorY         int
	cursorVisible, alternate bool
	insert, keypadCursor     bool
	keypad, wrap, origin     bool
	mouseAny, mouseAll       bool
	mouseButton              bool
	mouseStandard, mouseSGR  bool
	regionTop, regionBottom  int
}

const tmuxFlagsFormat = "#{cursor_x} #{cursor_y} #{cursor_flag} #{alternate_on} #{insert_flag} " +
	"#{keypad_cursor_flag} #{keypad_flag} #{wrap_flag} #{origin_flag} #{mouse_any_flag} " +
	"#{mouse_all_flag} #{mouse_button_flag} #{mouse_standard_flag} #{mouse_sgr_flag} " +
	"#{scroll_region_upper} #{scroll_region_lower}"

func parseTmuxFlags(t *testing.T, s string) tmuxFlags {
	t.Helper()
	f := strings.Fields(s)
	if len(f) != 16 {
		t.Fatalf("tmux flags %q: want 16 fields", s)
	}
	n := make([]int, len(f))
	for i, v := range f {
		x, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("tmux flags %q: %v", s, err)
		}
		n[i] = x
	}
	return tmuxFlags{
		cursorX: n[0], cursorY: n[1], cursorVisible: n[2] == 1, alternate: n[3] == 1,
		insert: n[4] == 1, keypadCursor: n[5] == 1, keypad: n[6] == 1, wrap: n[7] == 1,
		origin: n[8] == 1, mouseAny: n[9] == 1, mouseAll: n[10] == 1, mouseButton: n[11] == 1,
		mouseStandard: n[12] == 1, mouseSGR: n[13] == 1, regionTop: n[14], regionBottom: n[15],
	}
}

// run shows data in a fresh pane of cols x rows and returns what tmux
// made of it. The stream is followed by a unique OSC 2 title; tmux handles
// a pane's output in order, so once the title shows, every byte before it
// has been processed.
func (ts *tmuxServer) run(data []byte, cols, rows int) paneState {
	ts.t.Helper()
	ts.n++
	name := fmt.Sprintf("w%d", ts.n)
	sentinel := fmt.Sprintf("warren-done-%d", ts.n)
	file := filepath.Join(ts.dir, name)
	stream := append(append([]byte(nil), data...), "\x1b]2;"+sentinel+"\a"...)
	if err := os.WriteFile(file, stream, 0o600); err != nil {
		ts.t.Fatal(err)
	}
	ts.out("new-session", "-d", "-s", name, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows),
		"stty -echo; cat "+file+"; exec sleep 600")
	defer ts.out("kill-session", "-t", name)
	deadline := time.Now().Add(10 * time.Second)
	for strings.TrimSpace(ts.out("display", "-p", "-t", name, "#{pane_title}")) != sentinel {
		if time.Now().After(deadline) {
			ts.t.Fatalf("tmux pane %s did not process its input within 10s", name)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := strings.TrimSpace(ts.out("display", "-p", "-t", name, "#{pane_width} #{pane_height}")); got != fmt.Sprintf("%d %d", cols, rows) {
		ts.t.Fatalf("tmux pane size %q; want %d %d", got, cols, rows)
	}
	return paneState{
		plain:  splitRows(ts.out("capture-pane", "-p", "-t", name), rows),
		styled: splitRows(ts.out("capture-pane", "-p", "-e", "-N", "-t", name), rows),
		flags:  parseTmuxFlags(ts.t, ts.out("display", "-p", "-t", name, tmuxFlagsFormat)),
	}
}

func splitRows(s string, rows int) []string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	out := make([]string, rows)
	copy(out, lines)
	return out
}

// captureModel feeds tmux's styled capture into a fresh model, one row at
// a time, and returns it with the number of columns tmux emitted per row
// (tmux leaves out erased cells at the end of a row).
func captureModel(styled []string, cols, rows int) (*Screen, []int) {
	m := New(cols, rows, 0)
	widths := make([]int, rows)
	for y, line := range styled {
		m.Write(appendCUP(nil, 0, y))
		// tmux 3.3a's capture writes overline (SGR 53) as "5:3".
		m.Write([]byte(strings.ReplaceAll(line, "\x1b[5:3m", "\x1b[53m")))
		widths[y] = m.cx
		if m.wrapPending {
			widths[y] = cols
		}
	}
	return m, widths
}

// describeCell renders a cell for test messages.
func (s *Screen) describeCell(c cell) string {
	return fmt.Sprintf("%q w%d %+v", string(c.r)+s.combString(&c), c.width, c.style)
}

// diffCells compares want (a model) with got (tmux's capture fed into a
// model) cell by cell: character, width, combining marks and style. tmux
// leaves erased cells at the end of a row out of its capture, whatever
// their background, so past the columns emitted[y] both sides need only
// hold erased cells.
func diffCells(want, got *Screen, emitted []int) []string {
	var diffs []string
	for y := range want.rows {
		for x := range want.cols {
			w, g := want.cur.rows[y][x], got.cur.rows[y][x]
			if x >= emitted[y] {
				if !w.isBlank(w.style.bg) || !g.isBlank(g.style.bg) {
					diffs = append(diffs, fmt.Sprintf("row %d col %d: model %s; tmux %s (erased cells expected)", y, x, want.describeCell(w), got.describeCell(g)))
				}
				continue
			}
			if w.r == 0 {
				w.r = ' '
			}
			if g.r == 0 {
				g.r = ' '
			}
			if w.r != g.r || w.width != g.width || want.combString(&w) != got.combString(&g) || w.style != g.style {
				diffs = append(diffs, fmt.Sprintf("row %d col %d: model %s; tmux %s", y, x, want.describeCell(w), got.describeCell(g)))
			}
		}
	}
	return diffs
}

// modelFlags reports the model's state the way tmux reports its own.
func modelFlags(s *Screen) tmuxFlags {
	x, y, visible := s.Cursor()
	f := tmuxFlags{
		cursorX: x, cursorY: y, cursorVisible: visible, alternate: s.altActive,
		insert: s.m.insert, keypadCursor: s.m.appCursor, keypad: s.m.appKeypad, wrap: s.m.autowrap,
		origin: s.m.origin, mouseAny: s.m.mouse != 0, mouseAll: s.m.mouse == 1003, mouseButton: s.m.mouse == 1002,
		mouseStandard: s.m.mouse == 1000, mouseSGR: s.m.mouseSGR,
		regionTop: s.top, regionBottom: s.bottom,
	}
	// tmux puts a cursor with a pending wrap one past the last column.
	if s.wrapPending && s.m.autowrap {
		f.cursorX = s.cols
	}
	return f
}

func trimRows(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.TrimRight(r, " ")
	}
	return out
}

func joinRows(rows []string) string {
	var b bytes.Buffer
	for i, r := range rows {
		fmt.Fprintf(&b, "%2d|%s\n", i, r)
	}
	return b.String()
}

// history returns tmux's history plus visible rows of the pane showing
// data, as plain text (capture-pane -S -).
func (ts *tmuxServer) history(data []byte, cols, rows int) []string {
	ts.t.Helper()
	ts.n++
	name := fmt.Sprintf("w%d", ts.n)
	sentinel := fmt.Sprintf("warren-done-%d", ts.n)
	file := filepath.Join(ts.dir, name)
	if err := os.WriteFile(file, append(append([]byte(nil), data...), "\x1b]2;"+sentinel+"\a"...), 0o600); err != nil {
		ts.t.Fatal(err)
	}
	ts.out("new-session", "-d", "-s", name, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows), "stty -echo; cat "+file+"; exec sleep 600")
	defer ts.out("kill-session", "-t", name)
	deadline := time.Now().Add(10 * time.Second)
	for strings.TrimSpace(ts.out("display", "-p", "-t", name, "#{pane_title}")) != sentinel {
		if time.Now().After(deadline) {
			ts.t.Fatalf("tmux pane %s did not process its input within 10s", name)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return trimRows(strings.Split(strings.TrimSuffix(ts.out("capture-pane", "-p", "-S", "-", "-t", name), "\n"), "\n"))
}
