package session

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warren-ssh/warren/internal/screen"
)

// realScreens makes the Manager use warren's screen model, which draws
// clients of another size.
func realScreens(o *Options) {
	o.NewScreen = func(c, r int) Screen { return screen.New(c, r, 100) }
	o.ResizeDebounce = 10 * time.Millisecond
}

// terminal is what a terminal of cols x rows shows after all of out.
func terminal(out *termOut, cols, rows int) *screen.Screen {
	t := screen.New(cols, rows, 0)
	_, _ = t.Write([]byte(out.String()))
	return t
}

// expected is what a terminal of w should show of s's screen right now: a
// repaint at the PTY's size, a fresh view frame at any other.
func expected(t testing.TB, m *Manager, w Window) *screen.Screen {
	t.Helper()
	s, _ := m.lookup("alice", "w", false)
	s.mu.Lock()
	defer s.mu.Unlock()
	want := screen.New(w.Cols, w.Rows, 0)
	if w == s.window {
		_, _ = want.Write(s.screen.AppendRepaint(nil))
	} else {
		var v screen.View
		_, _ = want.Write(s.screen.(Viewer).AppendView(nil, &v, w.Cols, w.Rows))
	}
	return want
}

// waitShows waits until out, on a terminal of w, shows what the session's
// screen says it should, cursor included.
func waitShows(t testing.TB, m *Manager, out *termOut, w Window, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, want := terminal(out, w.Cols, w.Rows), expected(t, m, w)
		gx, gy, _ := got.Cursor()
		wx, wy, _ := want.Cursor()
		if strings.Join(got.Lines(), "\n") == strings.Join(want.Lines(), "\n") && gx == wx && gy == wy {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the %dx%d terminal shows (cursor %d,%d):\n%s\nwant (cursor %d,%d):\n%s", what, w.Cols, w.Rows,
				gx, gy, strings.Join(got.Lines(), "|\n"), wx, wy, strings.Join(want.Lines(), "|\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestViewClients: a client that does not own the size sees the screen cut
// to its own, never the owner's wide lines wrapped; when the size moves to
// it, the other one does.
func TestViewClients(t *testing.T) {
	m, _ := newTestManager(t, realScreens)
	sp := Spec{Login: "alice", Workspace: "w"}
	small, big := Window{Cols: 60, Rows: 20}, Window{Cols: 100, Rows: 30}
	b := attachClient(t, m, sp, small, nil)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 1 })
	a := attachClient(t, m, sp, big, nil)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 2 && in.Window == big })

	wide := "S" + strings.Repeat("-", 58) + "MX" + strings.Repeat("-", 28) + "E"
	a.send(wide + "\n")
	a.out.waitContains(t, wide+"\r\n"+wide+"\r\n") // the echo, then cat
	waitShows(t, m, b.out, small, "the small client")
	got := terminal(b.out, small.Cols, small.Rows).Lines()
	if !strings.Contains(got[0], "[60x20 of 100x30]") {
		t.Errorf("the small client's top row %q has no marker", got[0])
	}
	for y, l := range got {
		if strings.Contains(l, "X") || strings.Contains(l, "E") {
			t.Errorf("the small client's row %d shows the cut part of the line: %q", y, l)
		}
	}
	if strings.Contains(b.out.String(), wide) {
		t.Errorf("the small client was sent the owner's 90-column line")
	}

	// b types: it owns the size, and a sees the 60x20 screen.
	b.send("mine\n")
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Window == small })
	waitEchoed(t, m, "mine")
	waitShows(t, m, b.out, small, "the small client, owner now")
	waitShows(t, m, a.out, big, "the big client, not the owner any more")
	rows := terminal(a.out, big.Cols, big.Rows).Lines()
	for y := small.Rows; y < big.Rows-1; y++ {
		if rows[y] != "" {
			t.Errorf("the big client's row %d is %q; want it blank", y, rows[y])
		}
	}
	close(a.in)
	close(b.in)
	a.wait(t)
	b.wait(t)
}

// TestViewSwitches: clients moving between the program's bytes and frames
// of the screen model, as the size moves between them and they resize,
// lose and repeat nothing: each ends up showing what a fresh attach would.
func TestViewSwitches(t *testing.T) {
	m, _ := newTestManager(t, realScreens)
	sp := Spec{Login: "alice", Workspace: "w"}
	wa, wb := Window{Cols: 80, Rows: 24}, Window{Cols: 60, Rows: 20}
	a := attachClient(t, m, sp, wa, nil)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 1 })
	b := attachClient(t, m, sp, wb, nil)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 2 })
	for i := range 12 {
		line := fmt.Sprintf("turn %d %s", i, strings.Repeat(strconv.Itoa(i%10), 40+5*i))
		switch i % 4 {
		case 0:
			a.send(line + "\n")
		case 1:
			b.send(line + "\n")
		case 2:
			wa = Window{Cols: 70 + i, Rows: 22 + i}
			a.resize <- wa
			a.send(line + "\n")
		case 3:
			wb = Window{Cols: 50 + i, Rows: 15 + i}
			b.resize <- wb
			a.send(line + "\n")
		}
		waitEchoed(t, m, fmt.Sprintf("turn %d ", i))
		waitShows(t, m, a.out, wa, fmt.Sprintf("turn %d, a", i))
		waitShows(t, m, b.out, wb, fmt.Sprintf("turn %d, b", i))
	}
	close(a.in)
	close(b.in)
	a.wait(t)
	b.wait(t)
}

// waitEchoed waits until the session's screen shows a line starting with
// prefix twice: the terminal's echo, then cat's copy.
func waitEchoed(t testing.TB, m *Manager, prefix string) {
	t.Helper()
	s, _ := m.lookup("alice", "w", false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		lines := s.screen.Lines()
		s.mu.Unlock()
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		if n >= 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen does not show %q twice:\n%s", prefix, strings.Join(lines, "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestViewFrozenClient: a client of another size whose connection stops
// reading holds no output at all while the program floods, and shows the
// final screen once it reads again.
func TestViewFrozenClient(t *testing.T) {
	const total = 4 << 20
	m, _ := newTestManager(t, func(o *Options) {
		realScreens(o)
		o.Command = prog("flood", strconv.Itoa(total))
		o.ClientQueue = 1 << 20
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	frozenOut := &termOut{block: make(chan struct{})}
	frozen := attachClient(t, m, sp, Window{Cols: 60, Rows: 20}, frozenOut)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 1 })
	fast := &xCounter{}
	fastIn := make(chan []byte, 1)
	fastDone := make(chan Result, 1)
	go func() {
		res, err := m.Attach(context.Background(), sp, Client{Input: fastIn, Output: fast, Window: win80})
		if err != nil {
			t.Errorf("Attach: %v", err)
		}
		fastDone <- res
	}()
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 2 && in.Window == win80 })
	s, _ := m.lookup("alice", "w", false)
	s.mu.Lock()
	fc := s.clients[0]
	viewing := fc.viewing
	s.mu.Unlock()
	if !viewing {
		t.Fatalf("the 60x20 client is not in view mode with the PTY at 80x24")
	}

	fastIn <- []byte("go\n")
	maxQueued := 0
	deadline := time.Now().Add(60 * time.Second)
	for done := false; !done; {
		select {
		case res := <-fastDone:
			if res.Reason != Exited {
				t.Fatalf("fast client: %v; want exited", res.Reason)
			}
			done = true
		case <-time.After(time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatalf("the flood did not finish: the PTY reader stalled")
			}
		}
		s.mu.Lock()
		maxQueued = max(maxQueued, cap(fc.pending))
		s.mu.Unlock()
	}
	if xs, _ := fast.snapshot(); xs != total {
		t.Errorf("the owner got %d bytes of the flood; want %d", xs, total)
	}
	// The frozen writer holds its attach frame; nothing else is queued.
	if maxQueued > 64<<10 {
		t.Errorf("the frozen client queued up to %d bytes; want nothing beyond its attach frame", maxQueued)
	}
	close(frozenOut.block)
	frozen.wait(t)
	got := terminal(frozenOut, 60, 20).Lines()
	if !strings.Contains(strings.Join(got, "\n"), "exited with code 0") {
		t.Errorf("the frozen client, reading again, shows:\n%s\nwant the final screen", strings.Join(got, "\n"))
	}
	if !strings.HasSuffix(frozenOut.String(), viewEnd) {
		t.Errorf("the view client's terminal was not left with autowrap on: %q", tail(frozenOut.String(), 40))
	}
}

// TestViewOwnerAnswers: with the smallest size policy no client need have
// the PTY's size; the program's terminal queries still reach the owner's
// terminal, after its frame, and nobody else's.
func TestViewOwnerAnswers(t *testing.T) {
	m, _ := newTestManager(t, func(o *Options) {
		realScreens(o)
		o.SizePolicy = SizeSmallest
		o.Command = []string{"/bin/sh", "-c", `read x; printf 'asking\033[6n\033]11;?\007'; cat`}
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	a := attachClient(t, m, sp, Window{Cols: 100, Rows: 30}, nil)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 1 })
	b := attachClient(t, m, sp, Window{Cols: 90, Rows: 40}, nil)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 2 && in.Window == Window{Cols: 90, Rows: 30} })
	a.send("go\n") // a owns the session now
	out := a.out.waitContains(t, "\x1b[6n\x1b]11;?\a")
	if i, j := strings.LastIndex(out, "asking"), strings.LastIndex(out, "\x1b[6n"); i < 0 || i > j {
		t.Errorf("the query came before the frame that shows the output before it: %q", tail(out, 300))
	}
	waitShows(t, m, b.out, Window{Cols: 90, Rows: 40}, "the other client")
	if strings.Contains(b.out.String(), "\x1b[6n") {
		t.Errorf("a client that does not own the session was sent the query")
	}
	close(a.in)
	close(b.in)
	a.wait(t)
	b.wait(t)
}

// BenchmarkOutputPathViewer measures bytes/s from the program through the
// real screen model to an owner draining to a counter while a second,
// fast client reads everything: of the same size (raw bytes), or of
// another (frames of the screen model, one whenever its writer is free).
func BenchmarkOutputPathViewer(b *testing.B) {
	for _, bc := range []struct {
		name string
		win  Window
	}{{"same size", win80}, {"other size", Window{Cols: 60, Rows: 20}}} {
		b.Run(bc.name, func(b *testing.B) {
			const chunk = 64 << 10
			total := b.N * chunk
			m, _ := newTestManager(b, func(o *Options) {
				realScreens(o)
				o.Command = prog("flood", strconv.Itoa(total))
				o.ClientQueue = 64 << 20
			})
			sp := Spec{Login: "alice", Workspace: "w"}
			viewer := attachClient(b, m, sp, bc.win, &termOut{})
			waitInfo(b, m, "alice", "w", func(in Info) bool { return in.Clients == 1 })
			out := &xCounter{}
			in := make(chan []byte, 1)
			done := make(chan Result, 1)
			go func() {
				res, err := m.Attach(context.Background(), sp, Client{Input: in, Output: out, Window: win80})
				if err != nil {
					b.Error(err)
				}
				done <- res
			}()
			waitInfo(b, m, "alice", "w", func(in Info) bool { return in.Clients == 2 && in.Window == win80 })
			b.SetBytes(chunk)
			b.ResetTimer()
			in <- []byte("go\n")
			<-done
			b.StopTimer()
			if xs, _ := out.snapshot(); xs != total {
				b.Fatalf("client got %d bytes; want %d", xs, total)
			}
			viewer.wait(b)
		})
	}
}
