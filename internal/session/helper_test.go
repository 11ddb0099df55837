package session

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// progArg makes the test binary act as a small terminal program instead of
// running tests: os.Args[0] progArg MODE ARGS...
const progArg = "warren-session-test-program"

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == progArg {
		os.Exit(testProgram(os.Args[2], os.Args[3:]))
	}
	os.Exit(m.Run())
}

// prog returns the argv that runs the test program in mode.
func prog(mode string, args ...string) []string {
	return append([]string{os.Args[0], progArg, mode}, args...)
}

// testProgram is the program side of the tests. It talks to its terminal
// on stdin/stdout.
func testProgram(mode string, args []string) int {
	out := os.Stdout
	switch mode {
	case "exit": // print bye, exit with args[0]
		code, _ := strconv.Atoi(args[0])
		fmt.Fprint(out, "bye\n")
		return code
	case "readexit": // after a line of input, print bye, exit with args[0]
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		code, _ := strconv.Atoi(args[0])
		fmt.Fprint(out, "bye\n")
		return code
	case "argv": // print argv and env, then wait for EOF
		fmt.Fprintf(out, "argv=%q\n", args)
		wd, _ := os.Getwd()
		fmt.Fprintf(out, "cwd=%s\n", wd)
		for _, e := range os.Environ() {
			fmt.Fprintf(out, "env %s\n", e)
		}
		fmt.Fprint(out, "end\n")
		_, _ = io.Copy(io.Discard, os.Stdin)
		return 0
	case "rawecho": // raw mode; print every read quoted
		makeRaw(0)
		fmt.Fprint(out, "ready\n")
		buf := make([]byte, 4096)
		for {
			n, err := os.Stdin.Read(buf)
			if n > 0 {
				fmt.Fprintf(out, "in:%q\n", buf[:n])
			}
			if err != nil {
				return 0
			}
		}
	case "winch": // print the size at start and on every SIGWINCH, with a count
		makeRaw(0)
		ch := make(chan os.Signal, 16)
		signal.Notify(ch, syscall.SIGWINCH)
		n := 0
		printSize := func() {
			c, r := termSize(0)
			fmt.Fprintf(out, "\x1b[H\x1b[2Jsize %dx%d winch %d\n", c, r, n)
		}
		printSize()
		for range ch {
			n++
			printSize()
		}
		return 0
	case "query": // ask for the cursor position, print the reply, then echo input
		makeRaw(0)
		fmt.Fprint(out, "\x1b[6n")
		var got []byte
		b := make([]byte, 1)
		for {
			if _, err := os.Stdin.Read(b); err != nil {
				return 1
			}
			got = append(got, b[0])
			if b[0] == 'R' {
				break
			}
		}
		fmt.Fprintf(out, "reply:%q\n", got)
		buf := make([]byte, 4096)
		for {
			n, err := os.Stdin.Read(buf)
			if n > 0 {
				fmt.Fprintf(out, "in:%q\n", buf[:n])
			}
			if err != nil {
				return 0
			}
		}
	case "counter": // raw mode; print "n N" lines until a byte arrives, then "done"
		makeRaw(0)
		stop := make(chan struct{})
		go func() {
			b := make([]byte, 1)
			_, _ = os.Stdin.Read(b)
			close(stop)
		}()
		for i := 1; ; i++ {
			select {
			case <-stop:
				fmt.Fprint(out, "done\n")
				select {}
			default:
			}
			fmt.Fprintf(out, "n %d\n", i)
			if i%10 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	case "flood": // after a line of input, write args[0] bytes of '#', then exit 0
		total, _ := strconv.Atoi(args[0])
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		chunk := bytes.Repeat([]byte("#"), 64<<10)
		for total > 0 {
			n := min(total, len(chunk))
			if _, err := out.Write(chunk[:n]); err != nil {
				return 1
			}
			total -= n
		}
		return 0
	case "ignorehup": // ignore SIGHUP, print the pid, wait forever
		signal.Ignore(syscall.SIGHUP)
		fmt.Fprintf(out, "pid %d\n", os.Getpid())
		select {}
	case "server": // a mini server: start a session running ignorehup, report its pid
		return miniServer(args[0])
	}
	fmt.Fprintf(os.Stderr, "unknown mode %q\n", mode)
	return 2
}

func makeRaw(fd int) {
	var t syscall.Termios
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TCGETS, uintptr(unsafe.Pointer(&t))); e != 0 {
		return
	}
	t.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP | syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	t.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	t.Cflag &^= syscall.CSIZE | syscall.PARENB
	t.Cflag |= syscall.CS8
	t.Cc[syscall.VMIN] = 1
	t.Cc[syscall.VTIME] = 0
	syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TCSETS, uintptr(unsafe.Pointer(&t)))
}

func termSize(fd int) (int, int) {
	var ws struct{ Row, Col, X, Y uint16 }
	syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	return int(ws.Col), int(ws.Row)
}

// fakeScreen records everything written to it; its repaint is all of it.
// With limit > 0 it keeps only a count and the last limit bytes.
type fakeScreen struct {
	limit      int
	data       []byte
	total      int
	cols, rows int
	resizes    int
	reply      func([]byte)
	title      string
	noAnswer   bool // never answer queries even with a reply func
}

func (f *fakeScreen) Write(p []byte) (int, error) {
	f.total += len(p)
	f.data = append(f.data, p...)
	if f.limit > 0 && len(f.data) > f.limit {
		f.data = append(f.data[:0], f.data[len(f.data)-f.limit:]...)
	}
	if f.reply != nil && !f.noAnswer && bytes.Contains(p, []byte("\x1b[6n")) {
		f.reply([]byte("\x1b[7;7R"))
	}
	return len(p), nil
}
func (f *fakeScreen) Resize(c, r int)                       { f.cols, f.rows = c, r; f.resizes++ }
func (f *fakeScreen) Size() (int, int)                      { return f.cols, f.rows }
func (f *fakeScreen) AppendRepaint(dst []byte) []byte       { return append(dst, f.data...) }
func (f *fakeScreen) AppendAttach(dst []byte, _ int) []byte { return f.AppendRepaint(dst) }
func (f *fakeScreen) Lines() []string                       { return strings.Split(string(f.data), "\r\n") }
func (f *fakeScreen) Title() string                         { return f.title }
func (f *fakeScreen) SetReplyFunc(fn func([]byte))          { f.reply = fn }

// fakeHistory is an in-memory ring.
type fakeHistory struct {
	mu      sync.Mutex
	data    []byte
	flushes int
	closed  bool
}

func (h *fakeHistory) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.data = append(h.data, p...)
	if len(h.data) > 4<<20 {
		h.data = h.data[len(h.data)-4<<20:]
	}
	return len(p), nil
}
func (h *fakeHistory) Flush() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errors.New("closed")
	}
	h.flushes++
	return nil
}
func (h *fakeHistory) Run(ctx context.Context) { <-ctx.Done(); _ = h.Flush() }
func (h *fakeHistory) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	return nil
}
func (h *fakeHistory) AppendTo(dst []byte) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append(dst, h.data...)
}
func (h *fakeHistory) stats() (flushes int, closed bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.flushes, h.closed
}

// fakes hands out fake screens and histories and keeps them for inspection.
type fakes struct {
	mu       sync.Mutex
	limit    int
	noAnswer bool
	screens  []*fakeScreen
	hists    map[string]*fakeHistory
	events   []Event
	newHists int
}

func (f *fakes) newScreen(c, r int) Screen {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &fakeScreen{cols: c, rows: r, limit: f.limit, noAnswer: f.noAnswer}
	f.screens = append(f.screens, s)
	return s
}

func (f *fakes) openHistory(login, ws string) (History, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hists == nil {
		f.hists = make(map[string]*fakeHistory)
	}
	h := f.hists[login+"/"+ws]
	if h == nil || h.closed {
		old := h
		h = &fakeHistory{}
		if old != nil {
			h.data = old.data
		}
		f.hists[login+"/"+ws] = h
	}
	f.newHists++
	return h, nil
}

func (f *fakes) onEvent(e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, e)
}

func (f *fakes) hist(login, ws string) *fakeHistory {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hists[login+"/"+ws]
}

// newTestManager builds a Manager with fakes; fn adjusts the options. The
// Manager is shut down when the test ends.
func newTestManager(t testing.TB, fn func(*Options)) (*Manager, *fakes) {
	t.Helper()
	fk := &fakes{}
	dir := t.TempDir()
	o := Options{
		Command:      []string{"cat"},
		WorkspaceDir: func(l, w string) string { return dir + "/ws/" + l + "/" + w },
		HomeDir:      func(l string) string { return dir + "/home/" + l },
		NewScreen:    fk.newScreen,
		OpenHistory:  fk.openHistory,
		OnEvent:      fk.onEvent,
		StopGrace:    2 * time.Second,
	}
	if fn != nil {
		fn(&o)
	}
	m, err := NewManager(o)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return m, fk
}

// termOut is a client's Output: it keeps everything and lets tests wait for
// text.
type termOut struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first []byte        // the first write: scrollback and repaint
	block chan struct{} // when non-nil, Write waits for it to close
}

func (o *termOut) Write(p []byte) (int, error) {
	if o.block != nil {
		<-o.block
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.first == nil {
		o.first = append([]byte{}, p...)
	}
	return o.buf.Write(p)
}

func (o *termOut) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor polls until cond holds for the output, or fails after d.
func (o *termOut) waitFor(t testing.TB, what string, d time.Duration, cond func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := o.String()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; output so far: %q", what, tail(s, 2000))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (o *termOut) waitContains(t testing.TB, sub string) string {
	t.Helper()
	return o.waitFor(t, fmt.Sprintf("%q", sub), 10*time.Second, func(s string) bool { return strings.Contains(s, sub) })
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// testClient runs one Attach in the background.
type testClient struct {
	in     chan []byte
	resize chan Window
	out    *termOut
	done   chan struct{}
	res    Result
	err    error
}

func attachClient(t testing.TB, m *Manager, sp Spec, win Window, out *termOut) *testClient {
	t.Helper()
	if out == nil {
		out = &termOut{}
	}
	c := &testClient{in: make(chan []byte, 16), resize: make(chan Window, 16), out: out, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.res, c.err = m.Attach(context.Background(), sp, Client{
			Input: c.in, Output: out, Window: win, Resize: c.resize, Term: "xterm-test",
		})
	}()
	return c
}

func (c *testClient) send(s string) { c.in <- []byte(s) }

func (c *testClient) wait(t testing.TB) Result {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("Attach did not return")
	}
	if c.err != nil {
		t.Fatalf("Attach: %v", c.err)
	}
	return c.res
}

// waitInfo polls Get until cond holds.
func waitInfo(t testing.TB, m *Manager, login, ws string, cond func(Info) bool) Info {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		in, ok := m.Get(login, ws)
		if ok && cond(in) {
			return in
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for session state; last %+v (found %v)", in, ok)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitGone polls until the process group pgid has no live members. Killed
// grandchildren are reparented to PID 1, which reaps them when it pleases:
// zombies do not count.
func waitGone(t testing.TB, pgid int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := syscall.Kill(-pgid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return
		}
		live := liveMembers(pgid)
		if len(live) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d still has live members %v", pgid, live)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// liveMembers lists the processes of group pgid that are not zombies.
func liveMembers(pgid int) []string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:]) // state ppid pgrp ...
		if len(f) < 3 || f[0] == "Z" || f[2] != strconv.Itoa(pgid) {
			continue
		}
		out = append(out, e.Name()+" "+s[:i+1]+" "+f[0])
	}
	return out
}

// assertReaped fails if pid is a zombie child of ours (not reaped).
func assertReaped(t testing.TB, pid int) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return // gone
	}
	// The state follows the command name in parentheses.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) && s[i+2] == 'Z' {
		t.Fatalf("pid %d is a zombie", pid)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("wait4(%d): %v; want ECHILD", pid, err)
	}
}

// withScreen runs fn on a session's fake screen under the session lock.
func withScreen(t testing.TB, m *Manager, login, ws string, fn func(*fakeScreen)) {
	t.Helper()
	s, err := m.lookup(login, ws, false)
	if err != nil {
		t.Fatalf("lookup: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.screen.(*fakeScreen))
}

// eventKinds lists the kinds of the events seen so far for a workspace.
func (f *fakes) eventKinds(ws string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		if e.Workspace == ws {
			out = append(out, e.Kind.String())
		}
	}
	return out
}

func (f *fakes) lastPID(ws string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.events) - 1; i >= 0; i-- {
		if e := f.events[i]; e.Workspace == ws && (e.Kind == EventStarted || e.Kind == EventRestored) {
			return e.PID
		}
	}
	return 0
}
