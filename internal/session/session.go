package session

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// session is one (login, workspace) slot: the record that outlives its
// programs, and the current program (run).
type session struct {
	m                *Manager
	login, workspace string
	log              *slog.Logger

	// startMu serialises starting and stopping this session's program. It is
	// taken before mu, never while holding it.
	startMu sync.Mutex
	// removed is set, under startMu, once Remove has forgotten the session:
	// nothing may start on it again.
	removed bool

	mu sync.Mutex
	// mu guards the following, and the client fields documented as such.
	id           string
	state        State
	run          *run      // the current or last program; nil before the first
	screen       Screen    // the current program's screen model
	clients      []*client // attached clients, in attach order
	owner        *client   // size and reply owner: the latest to attach or type
	window       Window    // the PTY's size
	exitCode     int
	startedAt    time.Time
	lastActivity time.Time
	failure      string // why the last start failed, in StateFailed
}

// run is one program: its process, its PTY and the goroutines serving them.
type run struct {
	cmd      *exec.Cmd
	pid      int // also the process group and session id (Setsid)
	ptmx     *os.File
	hist     History // nil when there is no history
	histStop context.CancelFunc
	histDone chan struct{} // closed when hist.Run returns
	started  time.Time     // when the process started
	typed    atomic.Bool   // a client's input reached the program

	input      chan []byte   // chunks for inputLoop
	readerDone chan struct{} // closed when readLoop returns
	quit       chan struct{} // closed by waitLoop once output is drained: ends inputLoop
	done       chan struct{} // closed by waitLoop when the end is recorded and the history closed
	wg         sync.WaitGroup

	closeOnce sync.Once

	// session.mu guards the following.
	stopping   bool      // Stop or Shutdown ended it
	code       int       // exit code, once done is closed
	lastResize time.Time // when the PTY was last resized
	// resizeTimer applies a resize asked for within ResizeDebounce of the
	// last one; nil when none is pending. Guarded by the session's mu.
	resizeTimer *time.Timer
}

// ensureRunning starts the program unless it runs and returns the current
// run and whether this call started it.
func (s *session) ensureRunning(sp Spec, win Window, term string) (*run, bool, error) {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	if s.removed {
		return nil, false, ErrNotFound // its workspace was deleted meanwhile
	}
	s.mu.Lock()
	r, state := s.run, s.state
	s.mu.Unlock()
	if r != nil && state == StateRunning {
		return r, false, nil
	}
	if r != nil {
		<-r.done // the previous program's history is closed before a new one opens it
	}
	if err := s.m.reserve(s.login); err != nil {
		return nil, false, err
	}
	r, err := s.start(sp, win, term)
	if err != nil {
		s.m.release(s.login)
		return nil, false, err
	}
	return r, true, nil
}

// start spawns a new program; startMu is held. A start that fails
// returns a *StartError and leaves the session in StateFailed (see
// failStart); one the closing Manager refused leaves it as it was.
func (s *session) start(sp Spec, win Window, term string) (_ *run, err error) {
	o := &s.m.opts
	prog := o.Command[0]
	s.mu.Lock()
	restart := s.run != nil
	id := sp.ID
	if id == "" {
		id = s.id
	}
	if id == "" {
		id = uuid.NewString()
	}
	prev := s.state
	s.state = StateStarting
	s.mu.Unlock()
	defer func() {
		if err != nil {
			err = s.failStart(prev, id, err)
		}
	}()
	if o.EnsureWorkspace != nil {
		if err := o.EnsureWorkspace(s.login, s.workspace); err != nil {
			return nil, setupFailure(prog, err)
		}
	}

	extra, resumed := o.StartArgs, false
	if o.Conversation == nil {
		if (sp.Restore || restart) && len(o.ResumeArgs) > 0 {
			extra, resumed = o.ResumeArgs, true
		}
	} else {
		switch o.Conversation(Spec{Login: s.login, Workspace: s.workspace, ID: id, Restore: sp.Restore || restart, Window: win}) {
		case ConversationSaved:
			if len(o.ResumeArgs) > 0 {
				extra, resumed = o.ResumeArgs, true
			}
		case ConversationUnusable:
			old := id
			id = uuid.NewString()
			s.log.Info("conversation cannot be resumed nor started again: starting a new one", "old_id", old, "id", id)
		}
	}
	dir, home := "", ""
	if o.WorkspaceDir != nil {
		dir = o.WorkspaceDir(s.login, s.workspace)
	}
	if o.HomeDir != nil {
		home = o.HomeDir(s.login)
	}
	argv := expandArgs(o.Command, extra, id)
	// No CommandContext: Stop and Shutdown end the whole group themselves,
	// and a watcher goroutine per program would cost memory on every idle
	// session.
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := checkProgram(cmd); err != nil {
		return nil, programFailure(prog, err)
	}
	cmd.Env = buildEnv(o.Getenv, o.EnvNames, s.login, home, term)
	if o.LoginEnv != nil {
		cmd.Env = append(cmd.Env, o.LoginEnv(s.login)...)
	}
	cmd.Dir = dir
	if o.Confine != nil {
		started, err := o.Confine(s.login, cmd)
		if err != nil {
			return nil, setupFailure(prog, err)
		}
		if started != nil {
			defer started()
		}
	}
	// When the program runs as another user the server has made these as
	// that user's already; otherwise a missing one is the server's to make.
	for _, d := range []struct{ what, path string }{{"workspace", dir}, {"home", home}} {
		if d.path == "" {
			continue
		}
		if err := os.MkdirAll(d.path, 0o700); err != nil {
			return nil, setupFailure(prog, fmt.Errorf("%s dir: %w", d.what, err))
		}
	}
	var hist History
	if o.OpenHistory != nil {
		if hist, err = o.OpenHistory(s.login, s.workspace); err != nil {
			return nil, setupFailure(prog, fmt.Errorf("open history: %w", err))
		}
	}
	scr := o.NewScreen(win.Cols, win.Rows)
	var restored []byte
	if hist != nil {
		// The screen starts from what the workspace showed last, before the
		// program writes anything and before any reply func is installed,
		// and the program below it on clean rows (see restore.go).
		restored = restoreScreen(scr, hist, s.workspace, sp.Restore, time.Now())
	}

	ptmx, err := s.m.startProcess(cmd, win)
	if err != nil {
		if hist != nil {
			_ = hist.Close()
		}
		var pe *fs.PathError
		switch {
		case errors.Is(err, ErrClosed):
			return nil, fmt.Errorf("start session: %w", err)
		case errors.As(err, &pe) && pe.Op == "fork/exec":
			return nil, programFailure(prog, err)
		}
		return nil, setupFailure(prog, err)
	}
	if restored != nil {
		_, _ = hist.Write(restored) // before the reader starts: ahead of any output
	}
	histCtx, histStop := context.WithCancel(context.Background())
	r := &run{
		cmd:        cmd,
		pid:        cmd.Process.Pid,
		ptmx:       ptmx,
		hist:       hist,
		histStop:   histStop,
		histDone:   make(chan struct{}),
		started:    time.Now(),
		input:      make(chan []byte, 64),
		readerDone: make(chan struct{}),
		quit:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	now := time.Now()
	s.mu.Lock()
	s.id, s.state, s.run, s.screen = id, StateRunning, r, scr
	s.window, s.exitCode, s.startedAt, s.lastActivity, s.failure = win, 0, now, now, ""
	s.clients, s.owner = nil, nil
	scr.SetReplyFunc(r.reply) // nobody is attached yet: the model answers queries
	s.mu.Unlock()

	r.wg.Add(2)
	go s.readLoop(r)
	go r.inputLoop()
	// The history flusher ends when waitLoop calls histStop.
	go func() {
		defer close(r.histDone)
		if hist != nil {
			hist.Run(histCtx)
		}
	}()
	s.m.wg.Add(1)
	go s.waitLoop(r)

	kind := EventStarted
	if resumed {
		kind = EventRestored
	}
	s.log.Info("session started", "id", id, "pid", r.pid, "resumed", resumed, "cols", win.Cols, "rows", win.Rows)
	s.m.emit(Event{Kind: kind, Login: s.login, Workspace: s.workspace, ID: id, PID: r.pid, Time: now})
	return r, nil
}

// readLoop is the only reader of the PTY master. It ends when the slave side
// is gone (EIO, read as EOF) or waitLoop closes the master.
func (s *session) readLoop(r *run) {
	defer r.wg.Done()
	defer close(r.readerDone)
	// An idle program's reader holds a small buffer; one that fills it
	// gets a large one, given back after a run of small reads.
	const small, large, calm = 4 << 10, 32 << 10, 64
	buf, smallReads := make([]byte, small), 0
	for {
		n, err := r.ptmx.Read(buf)
		if n > 0 {
			s.output(buf[:n])
		}
		switch {
		case n == len(buf) && len(buf) < large:
			buf = make([]byte, large)
		case n < small && len(buf) > small:
			if smallReads++; smallReads >= calm {
				buf, smallReads = make([]byte, small), 0
			}
		default:
			smallReads = 0
		}
		if err != nil {
			if !isEOF(err) {
				s.log.Warn("read pty", "err", err)
			}
			return
		}
	}
}

// output feeds one chunk of program output to the screen, the history and
// every client's queue, all under mu so that an attach sees either all of
// it in its repaint or all of it in its queue.
func (s *session) output(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.screen.Write(p)
	if s.run.hist != nil {
		_, _ = s.run.hist.Write(p)
	}
	for _, c := range s.clients {
		c.enqueueLocked(p, s.m.opts.ClientQueue)
	}
	s.lastActivity = time.Now()
}

// inputLoop writes client input and screen replies to the PTY, one chunk at
// a time, so that writers never interleave and never block the caller's
// lock. It ends when r.quit is closed.
func (r *run) inputLoop() {
	defer r.wg.Done()
	for {
		select {
		case p := <-r.input:
			// An error means the program is gone; waitLoop will end us.
			_, _ = r.ptmx.Write(p)
		case <-r.quit:
			return
		}
	}
}

// reply is the screen model's reply func: it must not block (it runs under
// the session lock), so a reply that does not fit the queue is dropped.
func (r *run) reply(p []byte) {
	b := append([]byte(nil), p...)
	select {
	case r.input <- b:
	default:
	}
}

// sendInput queues p for the PTY. It returns false if the program ended or
// ctx is done first.
func (r *run) sendInput(ctx context.Context, p []byte) bool {
	select {
	case r.input <- p:
		r.typed.Store(true)
		return true
	case <-r.quit:
	case <-ctx.Done():
	}
	return false
}

// closePTY closes the master once.
func (r *run) closePTY() {
	r.closeOnce.Do(func() { _ = r.ptmx.Close() })
}

// waitLoop is the one Wait of r's process. After the process is reaped it
// hangs up what is left of the group, drains the output, stops r's
// goroutines, records the end, tells the clients and closes the history.
// It ends when all that is done (r.done closed).
func (s *session) waitLoop(r *run) {
	defer s.m.wg.Done()
	_ = r.cmd.Wait() // the exit status is in ProcessState either way
	code := exitCode(r.cmd.ProcessState)

	s.mu.Lock()
	stopping := r.stopping
	s.mu.Unlock()
	grace := s.m.opts.StopGrace
	if stopping {
		grace = 0 // Stop or Shutdown already gave the group its grace
	}
	// Whatever is left of the group keeps the slave open: hang it up, and
	// kill it if it does not go.
	if err := signalGroup(r.pid, syscall.SIGHUP); err != nil {
		s.log.Debug("hang up group", "err", err)
	}
	t := time.NewTimer(grace)
	select {
	case <-r.readerDone:
	case <-t.C:
		_ = signalGroup(r.pid, syscall.SIGKILL)
		t.Reset(time.Second)
		select {
		case <-r.readerDone:
		case <-t.C:
			// Something outside the group holds the slave: stop reading.
			r.closePTY()
			<-r.readerDone
		}
	}
	t.Stop()
	close(r.quit)
	s.mu.Lock()
	if r.resizeTimer != nil {
		r.resizeTimer.Stop()
		r.resizeTimer = nil
	}
	s.mu.Unlock()
	r.closePTY()
	r.wg.Wait()

	s.mu.Lock()
	stopped := r.stopping
	line := endNotice(s.screen, s.workspace, stopped, code) // on a clean line below everything
	state, kind := StateExited, EventExited
	if stopped {
		state, kind = StateStopped, EventStopped
	}
	reason := "" // why it failed to start, when it did
	if !stopped && failedAtOnce(r, code, time.Now()) {
		reason = exitReason(s.m.opts.Command[0], code, s.screen.Lines())
		line = failedLine(s.screen, s.workspace, reason)
		state, kind = StateFailed, EventFailed
	}
	s.screen.SetReplyFunc(nil)
	_, _ = s.screen.Write([]byte(line))
	if r.hist != nil {
		_, _ = r.hist.Write([]byte(line))
	}
	for _, c := range s.clients {
		c.enqueueLocked([]byte(line), s.m.opts.ClientQueue)
	}
	s.clients, s.owner = nil, nil
	s.state, s.exitCode, s.failure, r.code = state, code, reason, code
	id := s.id
	s.mu.Unlock()
	s.m.release(s.login)

	r.histStop()
	<-r.histDone
	if r.hist != nil {
		if err := r.hist.Close(); err != nil {
			s.log.Warn("close history", "err", err)
		}
	}
	if state == StateFailed {
		s.log.Warn("session failed to start", "id", id, "pid", r.pid, "code", code, "reason", reason)
	} else {
		s.log.Info("session ended", "id", id, "pid", r.pid, "code", code, "stopped", stopped)
	}
	// Before done: the end is reported before any client's detach.
	s.m.emit(Event{Kind: kind, Login: s.login, Workspace: s.workspace, ID: id, PID: r.pid, ExitCode: code, Error: reason, Time: time.Now()})
	close(r.done)
}

// stop ends the running program: flush the history, SIGHUP the group, and
// SIGKILL it after the grace. It returns once the program is reaped.
func (s *session) stop() {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	s.stopLocked()
}

// remove stops the program, as stop does, and marks the session removed so
// that nothing starts on it again.
func (s *session) remove() {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	s.stopLocked()
	s.removed = true
}

// stopLocked is stop's body; startMu is held.
func (s *session) stopLocked() {
	s.mu.Lock()
	r := s.run
	if r == nil || s.state != StateRunning {
		s.mu.Unlock()
		return
	}
	r.stopping = true
	s.mu.Unlock()
	s.terminate(r)
	<-r.done
}

// terminate hangs up r's group and kills it after StopGrace unless r ends
// first. It does not wait for r.done after the kill.
func (s *session) terminate(r *run) {
	if r.hist != nil {
		if err := r.hist.Flush(); err != nil {
			s.log.Warn("flush history", "err", err)
		}
	}
	if err := signalGroup(r.pid, syscall.SIGHUP); err != nil {
		s.log.Warn("hang up group", "err", err)
	}
	t := time.NewTimer(s.m.opts.StopGrace)
	defer t.Stop()
	select {
	case <-r.done:
	case <-t.C:
		s.log.Info("killing group after grace", "pid", r.pid)
		if err := signalGroup(r.pid, syscall.SIGKILL); err != nil {
			s.log.Warn("kill group", "err", err)
		}
	}
}

// info snapshots the session.
func (s *session) info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{
		Login: s.login, Workspace: s.workspace, ID: s.id, State: s.state,
		Clients: len(s.clients), ExitCode: s.exitCode, StartedAt: s.startedAt,
		LastActivity: s.lastActivity, Window: s.window,
	}
	if s.run != nil && s.state == StateRunning {
		in.PID = s.run.pid
	}
	if s.screen != nil {
		in.Title = s.screen.Title()
	}
	if s.state == StateFailed {
		in.Error = s.failure
	}
	return in
}
