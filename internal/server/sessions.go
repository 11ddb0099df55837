package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/warren-ssh/warren/internal/auth"
	"github.com/warren-ssh/warren/internal/config"
	"github.com/warren-ssh/warren/internal/history"
	"github.com/warren-ssh/warren/internal/screen"
	"github.com/warren-ssh/warren/internal/session"
	"github.com/warren-ssh/warren/internal/store"
	"github.com/warren-ssh/warren/internal/workspace"
)

// Session audit event kinds.
const (
	eventSessionStart   = "session.start"
	eventSessionRestore = "session.restore"
	eventSessionExit    = "session.exit"
	eventSessionStop    = "session.stop"
	eventSessionFail    = "session.fail"
	eventSessionAttach  = "session.attach"
	eventSessionDetach  = "session.detach"
)

// screenScrollback is how many scrollback lines each screen model keeps at
// least; --attach-scrollback raises it.
const screenScrollback = 1000

func (s *Server) sessionOptions() (session.Options, error) {
	cfg := s.cfg
	detach, err := config.DetachByte(cfg.DetachKey)
	if err != nil {
		return session.Options{}, fmt.Errorf("--detach-key: %w", err)
	}
	start, resume := cfg.SessionArgs()
	scrollback := max(screenScrollback, cfg.AttachScrollback)
	o := session.Options{
		Command:    cfg.Command,
		StartArgs:  start,
		ResumeArgs: resume,
		WorkspaceDir: func(login, ws string) string {
			return filepath.Join(cfg.WorkspacesDir(), login, ws)
		},
		HomeDir: func(login string) string { return filepath.Join(cfg.HomesDir(), login) },
		// Every start makes a missing workspace first, as the login's own
		// in isolated mode; a workspace that cannot be made fails the start,
		// and so does a login over its disk quota (checked after, so that
		// ls and the picker list the workspace with the refusal).
		EnsureWorkspace: func(login, ws string) error {
			if _, err := s.workspaces.Ensure(context.Background(), login, ws); err != nil {
				return err
			}
			return s.checkQuota(login)
		},
		Confine:  s.confine,
		EnvNames: cfg.Env,
		LoginEnv: s.agents.env,
		Getenv:   os.LookupEnv,
		NewScreen: func(cols, rows int) session.Screen {
			return screen.New(cols, rows, scrollback)
		},
		OpenHistory: func(login, ws string) (session.History, error) {
			return history.Open(history.Options{
				Dir:       filepath.Join(cfg.HistoryDir(), login, ws),
				MemBytes:  int(cfg.HistoryBytes),
				DiskBytes: cfg.HistoryDisk,
				Logger:    s.logger.With("login", login, "workspace", ws),
				OnFlush: func(took time.Duration, err error) {
					outcome := "ok"
					if err != nil {
						outcome = "error"
					}
					s.metrics.flushes.WithLabelValues(outcome).Observe(took.Seconds())
				},
			})
		},
		AttachScrollback: cfg.AttachScrollback,
		DetachKey:        detach,
		SizePolicy:       cfg.SizePolicy,
		StopGrace:        cfg.StopGrace,
		MaxPerLogin:      cfg.MaxSessions,
		OnEvent:          s.sessionEvent,
		Logger:           s.logger, // the package tags its own component
	}
	if isClaude(cfg.Command) {
		o.Conversation = func(sp session.Spec) session.Conversation {
			return claudeConversation(filepath.Join(cfg.HomesDir(), sp.Login), sp.ID)
		}
	}
	return o, nil
}

func isClaude(argv []string) bool {
	return len(argv) > 0 && filepath.Base(argv[0]) == "claude"
}

// maxTranscriptScan bounds what claudeConversation reads of a transcript
// looking for its first message: Claude writes a few small records first.
const (
	maxTranscriptScan    = 8 << 20
	maxTranscriptRecords = 200
)

// claudeConversation says what Claude Code kept of conversation id under
// home, in ~/.claude/projects/<project>/<id>.jsonl, one JSON record a line:
// nothing (no transcript: `claude --session-id id` starts it), a
// conversation to resume (a "user" record: `claude --resume id` restores
// it, also offline), or a transcript written before its first message was
// (the server died as the user submitted it), which Claude refuses both to
// resume ("No conversation found") and to start again ("Session ID … is
// already in use"). The file is the login's: it is opened without
// following a symlink, and read only so far.
func claudeConversation(home, id string) session.Conversation {
	if uuid.Validate(id) != nil {
		return session.ConversationNone
	}
	matches, _ := filepath.Glob(filepath.Join(home, ".claude", "projects", "*", id+".jsonl"))
	if len(matches) == 0 {
		return session.ConversationNone
	}
	for _, path := range matches {
		if transcriptHasMessage(path) {
			return session.ConversationSaved
		}
	}
	return session.ConversationUnusable
}

// transcriptHasMessage reports whether the transcript at path holds a
// record of type "user" among its first records.
func transcriptHasMessage(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	r := bufio.NewReader(io.LimitReader(f, maxTranscriptScan))
	for range maxTranscriptRecords {
		line, err := r.ReadBytes('\n')
		var rec struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Type == "user" {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}

// sessionEvent persists and audits a session's state changes. It runs on
// the session's goroutines, so it only queues database writes.
func (s *Server) sessionEvent(ev session.Event) {
	rec := func(state string) {
		row := store.Session{Login: ev.Login, Workspace: ev.Workspace, ID: ev.ID, State: state, ExitCode: ev.ExitCode,
			Error: ev.Error, UpdatedAt: ev.Time}
		if info, ok := s.sessions.Get(ev.Login, ev.Workspace); ok {
			row.Cols, row.Rows = info.Window.Cols, info.Window.Rows
			row.CreatedAt = info.StartedAt
		}
		s.db.enqueue("save session", func(ctx context.Context) error {
			if old, err := s.store.SessionFor(ctx, row.Login, row.Workspace); err == nil {
				row.CreatedAt = old.CreatedAt
				if row.Cols == 0 {
					row.Cols, row.Rows = old.Cols, old.Rows
				}
			}
			return s.store.PutSession(ctx, row)
		})
	}
	audit := func(kind, detail string) {
		_ = s.audit.AddEvent(context.Background(), store.Event{At: ev.Time, Kind: kind, Login: ev.Login, Detail: detail})
	}
	where := "workspace=" + ev.Workspace
	switch ev.Kind {
	case session.EventStarted:
		rec(store.SessionRunning)
		audit(eventSessionStart, fmt.Sprintf("%s pid=%d", where, ev.PID))
	case session.EventRestored:
		rec(store.SessionRunning)
		audit(eventSessionRestore, fmt.Sprintf("%s pid=%d", where, ev.PID))
	case session.EventExited:
		rec(store.SessionExited)
		audit(eventSessionExit, fmt.Sprintf("%s code=%d", where, ev.ExitCode))
	case session.EventFailed:
		// Kept as failed, so that the next start does not try to restore it.
		rec(store.SessionFailed)
		audit(eventSessionFail, fmt.Sprintf("%s code=%d error=%q", where, ev.ExitCode, ev.Error))
	case session.EventStopped:
		// A stop by the server's own shutdown keeps the record running,
		// so that the next start restores the session.
		if !s.stopping.Load() {
			rec(store.SessionStopped)
		}
		audit(eventSessionStop, fmt.Sprintf("%s code=%d", where, ev.ExitCode))
	case session.EventAttached:
		s.forgetRestored(ev.Login, ev.Workspace)
		audit(eventSessionAttach, fmt.Sprintf("%s clients=%d", where, ev.Clients))
	case session.EventDetached:
		audit(eventSessionDetach, fmt.Sprintf("%s clients=%d reason=%s", where, ev.Clients, ev.Reason))
	}
}

// sessionID returns the conversation ID of (login, workspace): the running
// session's, else the stored one, else a new one.
func (s *Server) sessionID(ctx context.Context, login, ws string) string {
	if info, ok := s.sessions.Get(login, ws); ok {
		return info.ID
	}
	if row, err := s.store.SessionFor(ctx, login, ws); err == nil {
		return row.ID
	}
	return uuid.NewString()
}

// restoreSessions starts again every session the store says was running
// when the server stopped, at the size it last had, so that each program
// resumes its conversation. Failures are logged; the others go on.
func (s *Server) restoreSessions(ctx context.Context) {
	rows, err := s.store.Sessions(ctx, "")
	if err != nil {
		s.logger.Error("list sessions to restore", "err", err)
		return
	}
	n := 0
	for _, row := range rows {
		if row.State != store.SessionRunning {
			continue
		}
		if _, ok := s.auth.Lookup(row.Login); !ok {
			s.logger.Info("not restoring session of a login no longer allowed", "login", row.Login, "workspace", row.Workspace)
			continue
		}
		win := session.Window{Cols: row.Cols, Rows: row.Rows}
		if !win.Valid() {
			win = session.Window{Cols: 80, Rows: 24}
		}
		sp := session.Spec{Login: row.Login, Workspace: row.Workspace, ID: row.ID, Restore: true, Window: win}
		if err := s.sessions.Start(sp); err != nil {
			// A program that cannot start was logged, and recorded as
			// failed, by the session itself.
			var se *session.StartError
			if !errors.As(err, &se) {
				s.logger.Error("restore session", "login", row.Login, "workspace", row.Workspace, "err", err)
			}
			continue
		}
		s.markRestored(row.Login, row.Workspace)
		n++
	}
	if n > 0 {
		s.logger.Info("sessions restored", "count", n)
	}
}

// terminalReset leaves a client's terminal usable after a full-screen
// program: main screen, visible cursor, no mouse or paste modes, normal
// keys, default colours, full scroll region. Setting the scroll region
// homes the cursor, so the cursor is saved around it: what the shell
// prints next goes below the session's last words, not over its top line.
const terminalReset = "\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l" +
	"\x1b[?2004l\x1b[?1004l\x1b[?1l\x1b>\x1b7\x1b[r\x1b8\x1b[0m"

// freeRow moves a terminal of rows rows to the start of row n (1-based),
// below everything a session showed there, so that a notice and the shell
// prompt after it cover nothing: past the last row, or when n is not known
// (0), to the bottom row and one line further, scrolling.
func freeRow(n, rows int) string {
	if n <= 0 || n > rows {
		return "\x1b[999;1H\r\n"
	}
	return fmt.Sprintf("\x1b[%d;1H", n)
}

// sessionTerminal is what an attach needs of one SSH session channel.
type sessionTerminal struct {
	s    *Server
	id   auth.Identity
	t    *channelTerminal
	term string
	out  interface{ Write([]byte) (int, error) }
	env  []string // the client's environment (TERM, NO_COLOR, …) for the picker

	lastReason session.Reason // why the last attach ended
}

// Attach implements commands.Terminal.
func (st *sessionTerminal) Attach(ctx context.Context, name string) (int, error) {
	return st.s.attach(ctx, st, name)
}

func (s *Server) attach(ctx context.Context, st *sessionTerminal, name string) (int, error) {
	ws, err := workspace.Normalize(name)
	if err != nil {
		return 0, err
	}
	s.db.enqueue("last workspace", func(ctx context.Context) error {
		return s.store.SetLastWorkspace(ctx, st.id.Login, ws)
	})
	win := st.t.size()
	sp := session.Spec{Login: st.id.Login, Workspace: ws, ID: s.sessionID(ctx, st.id.Login, ws), Window: win}
	bytesOut := s.metrics.bytes.WithLabelValues("out")
	typed, in := st.t.take()
	out := writerFunc(func(p []byte) (int, error) {
		n, err := st.out.Write(p)
		bytesOut.Add(float64(n))
		return n, err
	})
	c := session.Client{Input: in, Typed: typed, Output: out, Window: win, Resize: st.t.resize, Term: st.term}
	started := time.Now()
	res, err := s.sessions.Attach(ctx, sp, c)
	if err != nil {
		// Nothing was read: what the previous owner left is still unused.
		st.t.unread(typed)
		var se *session.StartError
		if errors.As(err, &se) {
			// The session's program (or its workspace) could not start:
			// one line says why, and the command ends with a shell's code.
			fmt.Fprintf(st.out, "warren: %s\r\n", se.Reason)
			st.lastReason = session.Exited
			return se.Code, nil
		}
		return 0, fmt.Errorf("attach %s: %w", ws, err)
	}
	// What was typed after the detach key goes to the next owner.
	st.t.unread(res.Rest)
	st.lastReason = res.Reason
	switch res.Reason {
	case session.Detached:
		fmt.Fprintf(st.out, "%s%s[detached from %s]\r\n", terminalReset, freeRow(res.FreeRow, st.t.size().Rows), ws)
		return 0, nil
	case session.Exited:
		fmt.Fprint(st.out, terminalReset)
		return res.ExitCode, nil
	case session.Stopped:
		fmt.Fprintf(st.out, "%s\r\n[session %s was stopped]\r\n", terminalReset, ws)
		return 0, nil
	}
	s.logger.Debug("client gone", "login", st.id.Login, "workspace", ws, "attached", time.Since(started).Round(time.Millisecond).String())
	return 0, nil
}

// restoredSet remembers the sessions restored at start that nobody has
// attached to since, for the picker's "restored" state.
type restoredSet struct {
	// mu guards the following.
	mu sync.Mutex
	m  map[string]bool
}

func (s *Server) markRestored(login, ws string) {
	s.restored.mu.Lock()
	defer s.restored.mu.Unlock()
	if s.restored.m == nil {
		s.restored.m = map[string]bool{}
	}
	s.restored.m[login+"/"+ws] = true
}

func (s *Server) forgetRestored(login, ws string) {
	s.restored.mu.Lock()
	defer s.restored.mu.Unlock()
	delete(s.restored.m, login+"/"+ws)
}

func (s *Server) wasRestored(login, ws string) bool {
	s.restored.mu.Lock()
	defer s.restored.mu.Unlock()
	return s.restored.m[login+"/"+ws]
}

// writerFunc adapts a function to io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
