package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/uuid"
	"time"
)

var win80 = Window{Cols: 80, Rows: 24}

func TestAttachEcho(t *testing.T) {
	m, fk := newTestManager(t, nil)
	sp := Spec{Login: "alice", Workspace: "w"}
	c := attachClient(t, m, sp, win80, nil)
	c.send("hello\n")
	c.out.waitContains(t, "hello\r\nhello\r\n") // tty echo, then cat
	pid := fk.lastPID("w")
	close(c.in)
	if res := c.wait(t); res.Reason != Disconnected {
		t.Fatalf("Reason = %v; want %v", res.Reason, Disconnected)
	}
	in, _ := m.Get("alice", "w")
	if in.State != StateRunning || in.PID != pid || in.Clients != 0 {
		t.Fatalf("after disconnect: %+v; want running pid %d with no clients", in, pid)
	}
	if flushes, _ := fk.hist("alice", "w").stats(); flushes == 0 {
		t.Errorf("history not flushed on disconnect")
	}
	if got, want := strings.Join(fk.eventKinds("w"), ","), "started,attached,detached"; got != want {
		t.Errorf("events = %q; want %q", got, want)
	}
}

func TestTwoClients(t *testing.T) {
	m, _ := newTestManager(t, nil)
	sp := Spec{Login: "alice", Workspace: "w"}
	a := attachClient(t, m, sp, win80, nil)
	a.out.waitFor(t, "first write", 5*time.Second, func(string) bool { in, _ := m.Get("alice", "w"); return in.Clients == 1 })
	b := attachClient(t, m, sp, win80, nil)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 2 })
	a.send("from-a\n")
	a.out.waitContains(t, "from-a\r\nfrom-a\r\n")
	b.out.waitContains(t, "from-a\r\nfrom-a\r\n")
	b.send("from-b\n")
	a.out.waitContains(t, "from-b\r\nfrom-b\r\n")
	b.out.waitContains(t, "from-b\r\nfrom-b\r\n")
	close(a.in)
	close(b.in)
	a.wait(t)
	b.wait(t)
}

func TestDetachKey(t *testing.T) {
	m, fk := newTestManager(t, func(o *Options) { o.Command = prog("rawecho") })
	sp := Spec{Login: "alice", Workspace: "w"}
	c := attachClient(t, m, sp, win80, nil)
	c.out.waitContains(t, "ready")
	pid := fk.lastPID("w")

	c.send("ab\x1c\x1ccd") // double in one chunk: one key through
	c.out.waitContains(t, `in:"ab\x1ccd"`)
	c.send("\x1c") // double across chunks
	c.send("\x1c")
	c.out.waitContains(t, `in:"\x1c"`)
	c.send("x\x1crest") // single: detach, hand the rest back
	res := c.wait(t)
	if res.Reason != Detached || string(res.Rest) != "rest" {
		t.Fatalf("got %v rest %q; want %v rest %q", res.Reason, res.Rest, Detached, "rest")
	}

	c2 := attachClient(t, m, sp, win80, nil)
	if out := c2.out.waitContains(t, `in:"x"`); strings.Contains(out, "rest") { // the repaint
		t.Errorf("bytes after the detach key reached the program: %q", out)
	}
	c2.send("\x1c") // lone key: detach after the wait
	if res := c2.wait(t); res.Reason != Detached || len(res.Rest) != 0 {
		t.Fatalf("got %v rest %q; want %v and no rest", res.Reason, res.Rest, Detached)
	}
	if in, _ := m.Get("alice", "w"); in.State != StateRunning || in.PID != pid {
		t.Fatalf("program noticed the detach: %+v; want running pid %d", in, pid)
	}
}

// TestReattachRepaint: a client that attaches while the program prints sees
// the repaint followed by live output: every line exactly once, in order.
func TestReattachRepaint(t *testing.T) {
	m, _ := newTestManager(t, func(o *Options) { o.Command = prog("counter") })
	sp := Spec{Login: "alice", Workspace: "w"}
	a := attachClient(t, m, sp, win80, nil)
	a.out.waitContains(t, "n 200\r\n")
	a.send("\x1c-")
	if res := a.wait(t); res.Reason != Detached {
		t.Fatalf("Reason = %v; want %v", res.Reason, Detached)
	}
	b := attachClient(t, m, sp, win80, nil)
	out := b.out.waitFor(t, "live output", 10*time.Second, func(s string) bool {
		return len(s) > len(b.first())+2000
	})
	_ = out
	b.send("s")
	got := b.out.waitContains(t, "done\r\n")
	close(b.in)
	b.wait(t)

	if strings.Contains(string(b.first()), "done") {
		t.Fatalf("the program finished before the reattach; the test proves nothing")
	}
	lines := strings.Split(strings.TrimSuffix(got, "done\r\n"), "\r\n")
	lines = lines[:len(lines)-1] // after the last "\r\n"
	for i, l := range lines {
		if want := "n " + strconv.Itoa(i+1); l != want {
			t.Fatalf("line %d = %q; want %q (gap or duplicate at the repaint boundary, repaint was %d bytes)", i, l, want, len(b.first()))
		}
	}
	if len(lines) < 300 {
		t.Fatalf("only %d lines", len(lines))
	}
}

func (c *testClient) first() []byte {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	return c.out.first
}

var sizeRE = regexp.MustCompile(`size (\d+)x(\d+) winch (\d+)`)

// lastSize returns the last size report of the winch program.
func lastSize(s string) (cols, rows, winch int) {
	m := sizeRE.FindAllStringSubmatch(s, -1)
	if m == nil {
		return 0, 0, -1
	}
	l := m[len(m)-1]
	cols, _ = strconv.Atoi(l[1])
	rows, _ = strconv.Atoi(l[2])
	winch, _ = strconv.Atoi(l[3])
	return cols, rows, winch
}

func TestResizeCoalesced(t *testing.T) {
	m, _ := newTestManager(t, func(o *Options) {
		o.Command = prog("winch")
		o.ResizeDebounce = 200 * time.Millisecond
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	c := attachClient(t, m, sp, Window{Cols: 90, Rows: 20}, nil)
	c.out.waitContains(t, "size 90x20 winch 0") // started at the real size
	for i := 1; i <= 40; i++ {
		c.resize <- Window{Cols: 90 + i, Rows: 30}
	}
	c.resize <- Window{Cols: 0, Rows: 0}       // unknown: ignored
	c.resize <- Window{Cols: 1 << 30, Rows: 1} // clamped
	c.resize <- Window{Cols: 130, Rows: 30}
	c.out.waitContains(t, "size 130x30")
	_, _, winch := lastSize(c.out.String())
	if winch > 3 {
		t.Errorf("42 window changes gave %d SIGWINCHs; want at most 3", winch)
	}
	if in, _ := m.Get("alice", "w"); in.Window != (Window{130, 30}) {
		t.Errorf("Info.Window = %+v; want {130 30}", in.Window)
	}
	withScreen(t, m, "alice", "w", func(f *fakeScreen) {
		if f.cols != 130 || f.rows != 30 {
			t.Errorf("screen size = %dx%d; want 130x30", f.cols, f.rows)
		}
	})
	close(c.in)
	c.wait(t)
}

// TestResizeSkipsSameSize drives the coalescer's apply step directly: a
// resize to the current size touches neither the PTY nor the screen.
func TestResizeSkipsSameSize(t *testing.T) {
	m, _ := newTestManager(t, func(o *Options) { o.Command = prog("winch") })
	sp := Spec{Login: "alice", Workspace: "w"}
	c := attachClient(t, m, sp, win80, nil)
	c.out.waitContains(t, "size 80x24 winch 0")
	s, _ := m.lookup("alice", "w", false)
	s.mu.Lock()
	before := s.screen.(*fakeScreen).resizes
	s.applySizeLocked(s.run) // the owner wants 80x24: nothing to do
	same := s.screen.(*fakeScreen).resizes
	s.owner.win = Window{Cols: 81, Rows: 24}
	s.applySizeLocked(s.run)
	after := s.screen.(*fakeScreen).resizes
	s.mu.Unlock()
	if same != before || after != before+1 {
		t.Fatalf("screen resizes: %d, then %d after a same-size apply, %d after a change; want %d, %d, %d", before, same, after, before, before, before+1)
	}
	c.out.waitContains(t, "size 81x24 winch 1")
	close(c.in)
	c.wait(t)
}

func TestSmallestPolicy(t *testing.T) {
	m, _ := newTestManager(t, func(o *Options) {
		o.Command = prog("winch")
		o.SizePolicy = SizeSmallest
		o.ResizeDebounce = 10 * time.Millisecond
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	a := attachClient(t, m, sp, Window{Cols: 100, Rows: 30}, nil)
	a.out.waitContains(t, "size 100x30")
	b := attachClient(t, m, sp, Window{Cols: 90, Rows: 40}, nil)
	a.out.waitContains(t, "size 90x30")
	close(b.in)
	b.wait(t)
	a.out.waitContains(t, "size 100x30 winch 2") // back to the remaining client
	close(a.in)
	a.wait(t)
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want int
	}{
		{"zero", prog("readexit", "0"), 0},
		{"three", prog("readexit", "3"), 3},
		{"signal", []string{"/bin/sh", "-c", "read x; kill -TERM $$"}, 128 + int(syscall.SIGTERM)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, fk := newTestManager(t, func(o *Options) { o.Command = tt.argv })
			c := attachClient(t, m, Spec{Login: "alice", Workspace: "w"}, win80, nil)
			// Typed into, the program's end is an exit, however soon it comes.
			c.send("\n")
			res := c.wait(t)
			if res.Reason != Exited || res.ExitCode != tt.want {
				t.Fatalf("got %v code %d; want %v code %d", res.Reason, res.ExitCode, Exited, tt.want)
			}
			line := fmt.Sprintf("[warren: w exited with code %d]\r\n", tt.want)
			if !strings.HasSuffix(c.out.String(), line) {
				t.Errorf("output = %q; want it to end with %q", c.out.String(), line)
			}
			in, _ := m.Get("alice", "w")
			if in.State != StateExited || in.ExitCode != tt.want || in.PID != 0 {
				t.Errorf("Info = %+v; want exited with code %d", in, tt.want)
			}
			assertReaped(t, fk.lastPID("w"))
			if _, closed := fk.hist("alice", "w").stats(); !closed {
				t.Errorf("history not closed after exit")
			}
			if !strings.Contains(string(fk.hist("alice", "w").AppendTo(nil)), line) {
				t.Errorf("status line not in the history")
			}
		})
	}
}

// TestRestartAndEnv: the program gets a clean environment, its workspace as
// cwd, StartArgs for a new conversation, and after it exits the next attach
// starts it again with the same ID, resuming when Conversation says there
// is something to resume.
func TestRestartAndEnv(t *testing.T) {
	t.Setenv("WARREN_TEST_SECRET", "hunter2")
	t.Setenv("WARREN_TEST_PASS", "passed")
	kept := ConversationNone
	var dir string
	m, fk := newTestManager(t, func(o *Options) {
		o.Command = prog("argv")
		o.StartArgs = []string{"--session-id", "{session}"}
		o.ResumeArgs = []string{"--resume", "{session}"}
		o.Conversation = func(sp Spec) Conversation { return kept }
		o.EnvNames = []string{"WARREN_TEST_PASS"}
		dir = o.WorkspaceDir("alice", "w")
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	c := attachClient(t, m, sp, win80, nil)
	out := c.out.waitContains(t, "end\r\n")
	id := m.List("alice")[0].ID
	for _, want := range []string{
		fmt.Sprintf(`argv=["--session-id" %q]`, id), "cwd=" + dir, "env TERM=xterm-test\r\n",
		"env USER=alice\r\n", "env HOME=", "env WARREN_TEST_PASS=passed\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: %q", want, out)
		}
	}
	if strings.Contains(out, "WARREN_TEST_SECRET") || strings.Contains(out, "hunter2") {
		t.Errorf("server environment leaked: %q", out)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("workspace dir: %v %v; want mode 0700", st.Mode(), err)
	}
	c.send("\x04") // EOF: the program exits
	if res := c.wait(t); res.Reason != Exited {
		t.Fatalf("Reason = %v; want %v", res.Reason, Exited)
	}

	for _, tt := range []struct {
		kept Conversation
		flag string
	}{{ConversationNone, "--session-id"}, {ConversationSaved, "--resume"}} {
		kept = tt.kept
		c := attachClient(t, m, sp, win80, nil)
		c.out.waitContains(t, fmt.Sprintf(`argv=[%q %q]`, tt.flag, id))
		c.send("\x04")
		c.wait(t)
	}
	if got, want := strings.Join(fk.eventKinds("w"), ","), "started,attached,exited,detached,started,attached,exited,detached,restored,attached,exited,detached"; got != want {
		t.Errorf("events = %q; want %q", got, want)
	}
}

// TestStartRestoresHistory: Start with Restore replays the ring into the
// fresh screen before the program writes, resumes, and answers the
// program's terminal queries from the model while nobody is attached.
func TestStartRestoresHistory(t *testing.T) {
	m, fk := newTestManager(t, func(o *Options) {
		o.Command = prog("query")
		o.ResumeArgs = []string{"--resume", "{session}"}
	})
	h, _ := fk.openHistory("alice", "w")
	_, _ = h.Write([]byte("earlier output\r\n"))
	_ = h.Close()
	sp := Spec{Login: "alice", Workspace: "w", ID: "0d5c6a8e-0000-4000-8000-000000000001", Restore: true, Window: Window{Cols: 100, Rows: 40}}
	if err := m.Start(sp); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := m.Start(sp); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Start: %v; want ErrAlreadyRunning", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		lines, _ := m.Preview("alice", "w")
		text := strings.Join(lines, "\n")
		if strings.Contains(text, `reply:"\x1b[7;7R"`) {
			if !strings.HasPrefix(text, "earlier output\n") {
				t.Fatalf("screen = %q; want the history first", text)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reply from the screen model: %q", text)
		}
		time.Sleep(5 * time.Millisecond)
	}
	in, _ := m.Get("alice", "w")
	if in.ID != sp.ID || in.Window != sp.Window {
		t.Errorf("Info = %+v; want ID %s window %+v", in, sp.ID, sp.Window)
	}
	if got := fk.eventKinds("w"); len(got) != 1 || got[0] != "restored" {
		t.Errorf("events = %q; want [restored]", got)
	}
}

// TestQueryAnsweredOnce: only the owner's terminal replies reach the program.
func TestQueryAnsweredOnce(t *testing.T) {
	m, fk := newTestManager(t, func(o *Options) { o.Command = prog("query") })
	fk.noAnswer = true
	sp := Spec{Login: "alice", Workspace: "w"}
	a := attachClient(t, m, sp, win80, nil)
	a.out.waitContains(t, "\x1b[6n")
	b := attachClient(t, m, sp, win80, nil) // b owns the session now
	b.out.waitContains(t, "\x1b[6n")
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 2 })
	a.send("\x1b[5;5R")
	b.send("\x1b[9;9R")
	out := a.out.waitContains(t, "reply:")
	if !strings.Contains(out, `reply:"\x1b[9;9R"`) {
		t.Fatalf("program got %q; want only the owner's reply", out)
	}
	a.send("hi") // typing: a becomes the owner and its input passes
	a.out.waitContains(t, `in:"hi"`)
	b.send("\x1b[1;1R")
	b.send("yo")
	out = a.out.waitContains(t, `in:"yo"`)
	if strings.Contains(out, "1;1R") {
		t.Fatalf("a non-owner's reply reached the program: %q", out)
	}
	close(a.in)
	close(b.in)
	a.wait(t)
	b.wait(t)
}

func TestStopEscalates(t *testing.T) {
	grace := 300 * time.Millisecond
	m, fk := newTestManager(t, func(o *Options) {
		o.Command = []string{"/bin/sh", "-c", "trap '' HUP; sleep 1000 & echo ready; wait"}
		o.StopGrace = grace
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	c := attachClient(t, m, sp, win80, nil)
	c.out.waitContains(t, "ready")
	pid := fk.lastPID("w")
	start := time.Now()
	if err := m.Stop("alice", "w"); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d < grace || d > grace+5*time.Second {
		t.Errorf("Stop took %v; want about the %v grace", d, grace)
	}
	res := c.wait(t)
	if res.Reason != Stopped || res.ExitCode != 128+int(syscall.SIGKILL) {
		t.Errorf("got %v code %d; want %v code %d", res.Reason, res.ExitCode, Stopped, 128+int(syscall.SIGKILL))
	}
	c.out.waitContains(t, "[warren: w stopped]")
	waitGone(t, pid, 5*time.Second)
	assertReaped(t, pid)
	if in, _ := m.Get("alice", "w"); in.State != StateStopped {
		t.Errorf("State = %v; want %v", in.State, StateStopped)
	}
	if err := m.Stop("alice", "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stop(unknown) = %v; want ErrNotFound", err)
	}
}

func TestShutdown(t *testing.T) {
	m, fk := newTestManager(t, func(o *Options) { o.StopGrace = 300 * time.Millisecond })
	c := attachClient(t, m, Spec{Login: "alice", Workspace: "cat"}, win80, nil)
	waitInfo(t, m, "alice", "cat", func(in Info) bool { return in.Clients == 1 })
	m.opts.Command = []string{"/bin/sh", "-c", "trap '' HUP; sleep 1000 & echo ready; wait"}
	if err := m.Start(Spec{Login: "bob", Workspace: "stubborn"}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	waitInfo(t, m, "bob", "stubborn", func(in Info) bool { return in.State == StateRunning })
	pids := []int{fk.lastPID("cat"), fk.lastPID("stubborn")}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, pid := range pids {
		waitGone(t, pid, time.Second) // the whole group, at once: Shutdown reaped everything
		assertReaped(t, pid)
	}
	if res := c.wait(t); res.Reason != Stopped {
		t.Errorf("Reason = %v; want %v", res.Reason, Stopped)
	}
	c.out.waitContains(t, "warren is shutting down")
	if _, err := m.Attach(context.Background(), Spec{Login: "carol", Workspace: "w"}, Client{Input: make(chan []byte), Output: &termOut{}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Attach after Shutdown = %v; want ErrClosed", err)
	}
	for _, in := range m.List("") {
		if in.State != StateStopped {
			t.Errorf("%s/%s: State = %v; want %v", in.Login, in.Workspace, in.State, StateStopped)
		}
	}
}

func TestMaxPerLogin(t *testing.T) {
	m, _ := newTestManager(t, func(o *Options) { o.MaxPerLogin = 2 })
	for _, ws := range []string{"a", "b"} {
		if err := m.Start(Spec{Login: "alice", Workspace: ws}); err != nil {
			t.Fatalf("Start %s: %v", ws, err)
		}
	}
	if err := m.Start(Spec{Login: "alice", Workspace: "c"}); !errors.Is(err, ErrTooManySessions) {
		t.Fatalf("third Start = %v; want ErrTooManySessions", err)
	}
	_, err := m.Attach(context.Background(), Spec{Login: "alice", Workspace: "c"}, Client{Input: make(chan []byte), Output: &termOut{}})
	if !errors.Is(err, ErrTooManySessions) {
		t.Fatalf("third Attach = %v; want ErrTooManySessions", err)
	}
	if err := m.Start(Spec{Login: "bob", Workspace: "a"}); err != nil {
		t.Fatalf("another login: %v", err)
	}
	if err := m.Stop("alice", "a"); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(Spec{Login: "alice", Workspace: "c"}); err != nil {
		t.Fatalf("Start after Stop: %v", err)
	}
	if got := len(m.List("alice")); got != 3 {
		t.Errorf("List(alice) has %d sessions; want 3 (stopped records stay)", got)
	}
}

func TestInvalidArguments(t *testing.T) {
	if _, err := NewManager(Options{}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("NewManager(empty) = %v; want ErrInvalidOptions", err)
	}
	m, _ := newTestManager(t, nil)
	if err := m.Start(Spec{Login: "alice"}); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("Start(no workspace) = %v; want ErrInvalidSpec", err)
	}
	if _, err := m.Attach(context.Background(), Spec{Login: "a", Workspace: "w"}, Client{}); !errors.Is(err, ErrInvalidClient) {
		t.Errorf("Attach(no io) = %v; want ErrInvalidClient", err)
	}
	m.opts.Command = []string{"/nonexistent/program"}
	if err := m.Start(Spec{Login: "a", Workspace: "w"}); err == nil {
		t.Errorf("Start(missing program) succeeded")
	}
	if err := m.Start(Spec{Login: "a", Workspace: "w2"}); err == nil {
		t.Errorf("Start(missing program) succeeded")
	}
}

// TestRemoveForgets checks that Remove ends the program and forgets the
// session: the next attach is a new session with a new ID, and a removed
// session never starts again.
func TestRemoveForgets(t *testing.T) {
	m, fk := newTestManager(t, func(o *Options) { o.Command = prog("winch") })
	sp := Spec{Login: "alice", Workspace: "w"}
	c := attachClient(t, m, sp, win80, nil)
	c.out.waitContains(t, "size 80x24")
	old, _ := m.Get("alice", "w")
	pid := fk.lastPID("w")
	s, err := m.lookup("alice", "w", false)
	if err != nil {
		t.Fatalf("lookup: %v", err)
	}
	m.Remove("alice", "w")
	if res := c.wait(t); res.Reason != Stopped {
		t.Errorf("attached client: got %v; want %v", res.Reason, Stopped)
	}
	waitGone(t, pid, 5*time.Second)
	assertReaped(t, pid)
	if in, ok := m.Get("alice", "w"); ok {
		t.Errorf("Get after Remove = %+v; want no session", in)
	}
	// Whoever still held the removed session cannot start it again.
	if _, _, err := s.ensureRunning(sp, win80, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("start on a removed session: %v; want ErrNotFound", err)
	}
	c2 := attachClient(t, m, sp, win80, nil)
	c2.out.waitContains(t, "size 80x24")
	if in, _ := m.Get("alice", "w"); in.ID == "" || in.ID == old.ID {
		t.Errorf("new session ID = %q; want a new one (old %q)", in.ID, old.ID)
	}
	m.Remove("alice", "nope") // a session that does not exist: nothing to do
}

// TestConversationDecidesTheStart: a conversation the program saved is
// resumed even on a first start of the session (after a server restart, a
// stopped session's record still names it); one it can neither resume nor
// start again is replaced by a new conversation under a new ID.
func TestConversationDecidesTheStart(t *testing.T) {
	const old = "0d5c6a8e-0000-4000-8000-000000000002"
	kept := ConversationSaved
	m, fk := newTestManager(t, func(o *Options) {
		o.Command = prog("argv")
		o.StartArgs = []string{"--session-id", "{session}"}
		o.ResumeArgs = []string{"--resume", "{session}"}
		o.Conversation = func(sp Spec) Conversation {
			if sp.ID != old {
				return ConversationNone
			}
			return kept
		}
	})
	sp := Spec{Login: "alice", Workspace: "w", ID: old}
	c := attachClient(t, m, sp, win80, nil)
	c.out.waitContains(t, fmt.Sprintf(`argv=["--resume" %q]`, old))
	c.send("\x04")
	c.wait(t)

	kept = ConversationUnusable
	c = attachClient(t, m, sp, win80, nil)
	out := c.out.waitContains(t, `argv=["--session-id"`)
	in, _ := m.Get("alice", "w")
	if in.ID == old || uuid.Validate(in.ID) != nil {
		t.Fatalf("ID = %q; want a new one, not %q", in.ID, old)
	}
	if !strings.Contains(out, fmt.Sprintf(`argv=["--session-id" %q]`, in.ID)) {
		t.Errorf("output %q; want the new conversation started under %s", out, in.ID)
	}
	c.send("\x04")
	c.wait(t)
	if got, want := strings.Join(fk.eventKinds("w"), ","), "restored,attached,exited,detached,started,attached,exited,detached"; got != want {
		t.Errorf("events = %q; want %q", got, want)
	}
}

// TestDetachFreeRow: a client detached from a session of its own size is
// told the first row below everything on the screen, where the server
// puts its notice; the program's cursor plays no part.
func TestDetachFreeRow(t *testing.T) {
	m, _ := newTestManager(t, func(o *Options) {
		o.Command = []string{"/bin/sh", "-c", `printf 'one\r\ntwo\r\nthree\r\n\033[2Aready'; exec cat`}
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	c := attachClient(t, m, sp, win80, nil)
	c.out.waitContains(t, "ready")
	var rows int
	withScreen(t, m, "alice", "w", func(f *fakeScreen) { rows = contentRows(f) })
	c.send("\x1c")
	res := c.wait(t)
	if res.Reason != Detached || res.FreeRow != rows+1 || rows < 3 {
		t.Errorf("got %v, free row %d; want %v, free row %d (after %d rows)", res.Reason, res.FreeRow, Detached, rows+1, rows)
	}
}

// TestEndedBeforeJoiningShowsTheEnd: a program that ends before its client
// has joined (a start failing at once races the attach) still leaves the
// client what it printed and the line saying why it ended.
func TestEndedBeforeJoiningShowsTheEnd(t *testing.T) {
	m, _ := newTestManager(t, func(o *Options) {
		o.Command = []string{"/bin/sh", "-c", "echo cannot go on; exit 7"}
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	if err := m.Start(sp); err != nil {
		t.Fatalf("Start: %v", err)
	}
	s, err := m.lookup("alice", "w", false)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	r := s.run
	s.mu.Unlock()
	<-r.done // ended before anyone joined
	out := &termOut{}
	res := s.attach(context.Background(), r, Client{Input: make(chan []byte), Output: out, Window: win80})
	if res.Reason != Exited || res.ExitCode != 7 {
		t.Errorf("got %v code %d; want %v code 7", res.Reason, res.ExitCode, Exited)
	}
	if got := out.String(); !strings.Contains(got, "cannot go on") || !strings.Contains(got, "could not start") {
		t.Errorf("output %q; want the program's words and why it ended", got)
	}
}
