package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"time"

	"github.com/warren-ssh/warren/internal/commands"
	"github.com/warren-ssh/warren/internal/history"
	"github.com/warren-ssh/warren/internal/screen"
	"github.com/warren-ssh/warren/internal/session"
	"github.com/warren-ssh/warren/internal/store"
	"github.com/warren-ssh/warren/internal/workspace"
)

// workspaceView is one workspace of a login and its session, as the picker
// and the SSH commands show it.
type workspaceView struct {
	Name         string
	State        string // a commands.State* value
	Clients      int
	ExitCode     int
	SessionID    string
	Since        time.Time // when the session reached its state
	LastActivity time.Time
	Repo         bool
	Branch       string
	Dirty        bool
	Title        string // untrusted
	Error        string // why the session failed to start, for commands.StateFailed
}

// workspaceService is what a login can do with its workspaces; every method
// is scoped to the login it is given, which is always the verified one.
type workspaceService struct{ s *Server }

var _ commands.Workspaces = workspaceService{}

// views lists login's workspaces with their sessions' state.
func (w workspaceService) views(ctx context.Context, login string) ([]workspaceView, error) {
	s := w.s
	defer func(started time.Time) { s.metrics.listings.Observe(time.Since(started).Seconds()) }(time.Now())
	infos, err := s.workspaces.List(ctx, login)
	if err != nil {
		return nil, err
	}
	stored := map[string]store.Session{}
	if rows, err := s.store.Sessions(ctx, login); err == nil {
		for _, r := range rows {
			stored[r.Workspace] = r
		}
	}
	out := make([]workspaceView, 0, len(infos))
	for _, in := range infos {
		v := workspaceView{Name: in.Name, State: commands.StateNone, LastActivity: in.Modified,
			Repo: in.Repo, Branch: in.Branch, Dirty: in.Dirty}
		if row, ok := stored[in.Name]; ok {
			v.SessionID = row.ID
			v.Since = row.UpdatedAt
			v.ExitCode = row.ExitCode
			switch row.State {
			case store.SessionExited:
				v.State = commands.StateExited
			case store.SessionStopped:
				v.State = commands.StateStopped
			case store.SessionFailed:
				v.State, v.Error = commands.StateFailed, row.Error
			}
			v.LastActivity = later(v.LastActivity, row.UpdatedAt)
		}
		if si, ok := s.sessions.Get(login, in.Name); ok {
			v.SessionID, v.Clients, v.ExitCode, v.Title, v.Error = si.ID, si.Clients, si.ExitCode, si.Title, si.Error
			v.LastActivity = later(v.LastActivity, si.LastActivity)
			if state, since := s.stateOf(si); state != "" {
				v.State = state
				if !since.IsZero() {
					v.Since = since
				}
			}
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastActivity.After(out[j].LastActivity) })
	return out, nil
}

// stateOf is a live session's state as users see it, and since when, when
// the state itself carries that time.
func (s *Server) stateOf(si session.Info) (state string, since time.Time) {
	switch si.State {
	case session.StateRunning, session.StateStarting:
		switch {
		case si.Clients > 0:
			return commands.StateRunning, time.Time{}
		case s.wasRestored(si.Login, si.Workspace):
			return commands.StateRestored, si.StartedAt
		default:
			return commands.StateDetached, si.LastActivity
		}
	case session.StateExited:
		return commands.StateExited, time.Time{}
	case session.StateStopped:
		return commands.StateStopped, time.Time{}
	case session.StateFailed:
		return commands.StateFailed, si.LastActivity
	}
	return "", time.Time{}
}

// workspaceActivity is when a workspace's session last had output or
// input: the workspace manager checks its git state again soon after.
func (s *Server) workspaceActivity(login, ws string) time.Time {
	if si, ok := s.sessions.Get(login, ws); ok {
		return si.LastActivity
	}
	return time.Time{}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// List implements commands.Workspaces.
func (w workspaceService) List(ctx context.Context, login string) ([]commands.WorkspaceInfo, error) {
	views, err := w.views(ctx, login)
	if err != nil {
		return nil, err
	}
	out := make([]commands.WorkspaceInfo, len(views))
	for i, v := range views {
		out[i] = commands.WorkspaceInfo{Name: v.Name, State: v.State, Clients: v.Clients, ExitCode: v.ExitCode,
			SessionID: v.SessionID, LastActivity: v.LastActivity, Branch: v.Branch, Dirty: v.Dirty, Error: v.Error}
	}
	return out, nil
}

// Create implements commands.Workspaces.
func (w workspaceService) Create(ctx context.Context, login, name string) (string, error) {
	dir, err := w.s.workspaces.Create(ctx, login, name)
	if err != nil {
		return "", friendly(err)
	}
	made := filepath.Base(dir)
	_ = w.s.audit.AddEvent(ctx, store.Event{Kind: eventWorkspaceCreate, Login: login, Detail: "workspace=" + made})
	return made, nil
}

// Clone implements commands.Workspaces.
func (w workspaceService) Clone(ctx context.Context, login, name, url string, progress io.Writer) (string, error) {
	if err := w.s.workspaces.Clone(ctx, login, name, url, progress); err != nil {
		return "", friendly(err)
	}
	made, _ := workspace.Normalize(name) // Clone succeeded: the name is valid
	_ = w.s.audit.AddEvent(ctx, store.Event{Kind: eventWorkspaceCreate, Login: login, Detail: "workspace=" + made + " clone"})
	return made, nil
}

// NameFromURL implements commands.Workspaces.
func (w workspaceService) NameFromURL(url string) string { return workspace.NameFromURL(url) }

// Stop implements commands.Workspaces: the session ends, everything stays.
func (w workspaceService) Stop(_ context.Context, login, name string) error {
	ws, err := workspace.Normalize(name)
	if err != nil {
		return err
	}
	if err := w.s.sessions.Stop(login, ws); err != nil {
		if errors.Is(err, session.ErrNotFound) {
			return fmt.Errorf("no session: %w", commands.ErrNotFound)
		}
		return err
	}
	return nil
}

// Delete implements commands.Workspaces: the session is stopped, then the
// directory, the history and the session record are removed.
func (w workspaceService) Delete(ctx context.Context, login, name string) error {
	s := w.s
	ws, err := workspace.Normalize(name)
	if err != nil {
		return err
	}
	if _, err := s.workspaces.Dir(login, ws); err != nil {
		return err
	}
	// The session goes with its workspace: a workspace made again under
	// this name starts a new conversation, never the deleted one.
	s.sessions.Remove(login, ws)
	if err := s.workspaces.Delete(ctx, login, ws); err != nil {
		return friendly(err)
	}
	if err := history.Remove(s.historyDir(login, ws)); err != nil {
		return fmt.Errorf("remove history: %w", err)
	}
	// Queued behind the record the stop just saved, so that it cannot
	// land after the removal and bring the session back.
	if err := s.db.do(ctx, "remove session", func(ctx context.Context) error {
		if err := s.store.DeleteSession(ctx, login, ws); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	}); err != nil {
		return fmt.Errorf("remove session record: %w", err)
	}
	s.forgetRestored(login, ws)
	_ = s.audit.AddEvent(ctx, store.Event{Kind: eventWorkspaceDelete, Login: login, Detail: "workspace=" + ws})
	return nil
}

// Restart stops the session of name, if any, and starts a new one at the
// size it last had.
func (w workspaceService) Restart(ctx context.Context, login, name string) error {
	s := w.s
	ws, err := workspace.Normalize(name)
	if err != nil {
		return err
	}
	win := session.Window{Cols: 80, Rows: 24}
	if si, ok := s.sessions.Get(login, ws); ok && si.Window.Valid() {
		win = si.Window
	}
	if err := s.sessions.Stop(login, ws); err != nil && !errors.Is(err, session.ErrNotFound) {
		return err
	}
	// Start makes the workspace if it is missing.
	err = s.sessions.Start(session.Spec{Login: login, Workspace: ws, ID: s.sessionID(ctx, login, ws), Window: win})
	if se := (*session.StartError)(nil); errors.As(err, &se) {
		return se // its reason is the whole story
	}
	return err
}

// OpenRaw implements commands.HistorySource: the whole on-disk history of
// one of login's workspaces, streamed.
func (w workspaceService) OpenRaw(_ context.Context, login, name string) (io.ReadCloser, error) {
	ws, err := workspace.Normalize(name)
	if err != nil {
		return nil, err
	}
	if _, err := w.s.workspaces.Dir(login, ws); err != nil {
		return nil, err
	}
	// Output still in memory reaches the disk first.
	w.s.sessions.Flush(login, ws)
	dir := w.s.historyDir(login, ws)
	if n, err := history.DiskUsage(dir); err != nil || n == 0 {
		return nil, fmt.Errorf("no history: %w", commands.ErrNotFound)
	}
	return history.NewReader(dir)
}

// History text sizes: a session of unknown size renders wide and tall
// enough for any layout not to wrap or clip (resizes are not in the
// history, so only the last size is known), and a stored size is clamped
// so that one command's screen stays small.
const (
	historyTextCols, historyTextRows = 200, 50
	historyTextMaxCols               = 500
	historyTextMaxRows               = 200
)

// HistoryText implements commands.HistorySource: a screen model of the size
// the session last had (the live one's, else the stored one's), fed the raw
// history, hands on its lines as they scroll off.
func (w workspaceService) HistoryText(ctx context.Context, login, name string, line func([]byte) error) commands.TextRenderer {
	cols, rows := w.historySize(ctx, login, name)
	return screen.NewText(cols, rows, line)
}

func (w workspaceService) historySize(ctx context.Context, login, name string) (cols, rows int) {
	win := session.Window{}
	if ws, err := workspace.Normalize(name); err == nil {
		if si, ok := w.s.sessions.Get(login, ws); ok {
			win = si.Window
		} else if row, err := w.s.store.SessionFor(ctx, login, ws); err == nil {
			win = session.Window{Cols: row.Cols, Rows: row.Rows}
		}
	}
	if !win.Valid() {
		return historyTextCols, historyTextRows
	}
	return min(win.Cols, historyTextMaxCols), min(win.Rows, historyTextMaxRows)
}

func (s *Server) historyDir(login, ws string) string {
	return filepath.Join(s.cfg.HistoryDir(), login, ws)
}

// friendly maps the workspace package's errors to the commands' sentinels.
func friendly(err error) error {
	if errors.Is(err, workspace.ErrNotFound) {
		return fmt.Errorf("%w", commands.ErrNotFound)
	}
	return err
}

// Workspace audit event kinds.
const (
	eventWorkspaceCreate = "workspace.create"
	eventWorkspaceDelete = "workspace.delete"
)
