package session

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"syscall"
	"time"
)

// shutdownMessage is written to attached clients when the server stops.
const shutdownMessage = "\r\n[warren is shutting down]\r\n"

type key struct{ login, workspace string }

// Manager runs one session per (login, workspace). Its methods are safe for
// concurrent use.
type Manager struct {
	opts Options
	log  *slog.Logger

	spawnc    chan spawnReq
	spawnQuit chan struct{} // closed by Shutdown: ends spawnLoop
	spawnDone chan struct{} // closed when spawnLoop returns

	wg sync.WaitGroup // one waitLoop per program

	mu sync.Mutex
	// mu guards the following.
	sessions map[key]*session
	running  map[string]int // running (or starting) programs per login
	closed   bool
}

// NewManager returns a Manager. Call Shutdown to stop its programs and its
// spawner thread.
func NewManager(opts Options) (*Manager, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Manager{
		opts:      o,
		log:       o.Logger.With("component", "session"),
		spawnc:    make(chan spawnReq),
		spawnQuit: make(chan struct{}),
		spawnDone: make(chan struct{}),
		sessions:  make(map[key]*session),
		running:   make(map[string]int),
	}
	go m.spawnLoop()
	return m, nil
}

// Attach attaches c to the session of sp.Login and sp.Workspace, starting
// its program first if it does not run (at c.Window: the PTY is created at
// the client's real size). It blocks until the client detaches or
// disconnects, or the program ends, and returns after its last write to
// c.Output.
func (m *Manager) Attach(ctx context.Context, sp Spec, c Client) (Result, error) {
	if err := checkSpec(sp); err != nil {
		return Result{}, fmt.Errorf("attach: %w", err)
	}
	if c.Input == nil || c.Output == nil {
		return Result{}, fmt.Errorf("attach: %w", ErrInvalidClient)
	}
	win := clampWindow(c.Window)
	if !win.Valid() {
		win = clampWindow(sp.Window)
	}
	if !win.Valid() {
		win = defaultWindow
	}
	s, err := m.lookup(sp.Login, sp.Workspace, true)
	if err != nil {
		return Result{}, fmt.Errorf("attach: %w", err)
	}
	r, _, err := s.ensureRunning(sp, win, c.Term)
	if err != nil {
		return Result{}, fmt.Errorf("attach %s/%s: %w", sp.Login, sp.Workspace, err)
	}
	return s.attach(ctx, r, c), nil
}

// Start starts a session's program without attaching, at sp.Window (or
// 80×24). With sp.Restore it resumes the conversation sp.ID when
// Options.Conversation agrees. The history of the workspace is replayed
// into the fresh screen before the program starts. A running program gives
// ErrAlreadyRunning.
func (m *Manager) Start(sp Spec) error {
	if err := checkSpec(sp); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	win := clampWindow(sp.Window)
	if !win.Valid() {
		win = defaultWindow
	}
	s, err := m.lookup(sp.Login, sp.Workspace, true)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	_, started, err := s.ensureRunning(sp, win, defaultTerm)
	if err != nil {
		return fmt.Errorf("start %s/%s: %w", sp.Login, sp.Workspace, err)
	}
	if !started {
		return fmt.Errorf("start %s/%s: %w", sp.Login, sp.Workspace, ErrAlreadyRunning)
	}
	return nil
}

// Stop ends a session's program: history flushed, SIGHUP to its process
// group, SIGKILL to the group after StopGrace. It returns once the program
// is reaped. The record stays, in state Stopped. Stopping a session that
// does not run is not an error.
func (m *Manager) Stop(login, workspace string) error {
	s, err := m.lookup(login, workspace, false)
	if err != nil {
		return fmt.Errorf("stop %s/%s: %w", login, workspace, err)
	}
	s.stop()
	return nil
}

// Remove stops a session's program as Stop does and forgets the session:
// its ID, state and exit code. It is for a workspace being deleted, so that
// one made again under the same name starts with no session and a new
// conversation. An Attach or Start racing with it either finds the session
// gone (ErrNotFound) or is stopped with it. Removing a session that does
// not exist is not an error.
func (m *Manager) Remove(login, workspace string) {
	m.mu.Lock()
	k := key{login, workspace}
	s, ok := m.sessions[k]
	delete(m.sessions, k)
	m.mu.Unlock()
	if ok {
		s.remove()
	}
}

// Get describes one session.
func (m *Manager) Get(login, workspace string) (Info, bool) {
	s, err := m.lookup(login, workspace, false)
	if err != nil {
		return Info{}, false
	}
	return s.info(), true
}

// List describes the sessions of login ("" for all), sorted by login and
// workspace.
func (m *Manager) List(login string) []Info {
	m.mu.Lock()
	var ss []*session
	for k, s := range m.sessions {
		if login == "" || k.login == login {
			ss = append(ss, s)
		}
	}
	m.mu.Unlock()
	out := make([]Info, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.info())
	}
	slices.SortFunc(out, func(a, b Info) int {
		return cmp.Or(cmp.Compare(a.Login, b.Login), cmp.Compare(a.Workspace, b.Workspace))
	})
	return out
}

// Preview returns the visible lines of a session's screen (untrusted text)
// for the picker.
func (m *Manager) Preview(login, workspace string) ([]string, bool) {
	s, err := m.lookup(login, workspace, false)
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.screen == nil {
		return nil, false
	}
	return s.screen.Lines(), true
}

// Flush writes a running session's pending history to disk now, so that a
// reader of the disk history (the history command) sees everything so far.
func (m *Manager) Flush(login, workspace string) {
	s, err := m.lookup(login, workspace, false)
	if err != nil {
		return
	}
	s.mu.Lock()
	r := s.run
	s.mu.Unlock()
	if r == nil || r.hist == nil {
		return
	}
	select {
	case <-r.done: // the program ended and its history was flushed and closed
		return
	default:
	}
	if err := r.hist.Flush(); err != nil {
		s.log.Warn("flush history", "err", err)
	}
}

// Shutdown stops every program: attached clients are told, rings flushed,
// groups hung up; groups still there after StopGrace (or when ctx ends) are
// killed; every process is reaped before it returns. Attach and Start fail
// with ErrClosed afterwards.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		<-m.spawnDone
		return nil
	}
	m.closed = true
	ss := make([]*session, 0, len(m.sessions))
	for _, s := range m.sessions {
		ss = append(ss, s)
	}
	m.mu.Unlock()

	var runs []*run
	for _, s := range ss {
		s.startMu.Lock() // waits for a start in flight; none can begin now
		s.mu.Lock()
		if s.state == StateRunning {
			r := s.run
			r.stopping = true
			for _, c := range s.clients {
				c.enqueueLocked([]byte(shutdownMessage), m.opts.ClientQueue)
			}
			runs = append(runs, r)
		}
		s.mu.Unlock()
		s.startMu.Unlock()
	}
	m.log.Info("shutting down", "sessions", len(runs))
	for _, r := range runs {
		if r.hist != nil {
			if err := r.hist.Flush(); err != nil {
				m.log.Warn("flush history", "err", err)
			}
		}
		if err := signalGroup(r.pid, syscall.SIGHUP); err != nil {
			m.log.Warn("hang up group", "err", err)
		}
	}
	var err error
	t := time.NewTimer(m.opts.StopGrace)
	defer t.Stop()
wait:
	for _, r := range runs {
		select {
		case <-r.done:
		case <-t.C:
			break wait
		case <-ctx.Done():
			err = fmt.Errorf("shutdown: %w", ctx.Err())
			break wait
		}
	}
	for _, r := range runs {
		select {
		case <-r.done:
		default:
			m.log.Info("killing group after grace", "pid", r.pid)
			_ = signalGroup(r.pid, syscall.SIGKILL)
		}
	}
	m.wg.Wait() // every program reaped
	close(m.spawnQuit)
	<-m.spawnDone
	return err
}

func (m *Manager) lookup(login, workspace string, create bool) (*session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key{login, workspace}
	if s, ok := m.sessions[k]; ok {
		return s, nil
	}
	if !create {
		return nil, ErrNotFound
	}
	if m.closed {
		return nil, ErrClosed
	}
	s := &session{
		m: m, login: login, workspace: workspace,
		log: m.log.With("login", login, "workspace", workspace),
	}
	m.sessions[k] = s
	return s, nil
}

// reserve counts a program about to start against MaxPerLogin.
func (m *Manager) reserve(login string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if m.running[login] >= m.opts.MaxPerLogin {
		return ErrTooManySessions
	}
	m.running[login]++
	return nil
}

func (m *Manager) release(login string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running[login]--; m.running[login] <= 0 {
		delete(m.running, login)
	}
}

func (m *Manager) emit(e Event) {
	if m.opts.OnEvent != nil {
		m.opts.OnEvent(e)
	}
}

func checkSpec(sp Spec) error {
	if sp.Login == "" || sp.Workspace == "" {
		return ErrInvalidSpec
	}
	return nil
}
