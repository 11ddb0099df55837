package tui

import (
	"context"
	"io"
	"time"
)

// SessionState is the state of a workspace's session as the picker shows it.
type SessionState int

// Session states.
const (
	// NoSession: the workspace has never had a session, or it was removed.
	NoSession SessionState = iota
	// Running: a program is running and at least one client is attached.
	Running
	// Detached: a program is running with no client attached.
	Detached
	// Exited: the program exited on its own; ExitCode says how.
	Exited
	// Restored: the session was restored after a server restart.
	Restored
	// Stopped: the session was stopped by a user.
	Stopped
	// Failed: the program could not start; ExitCode and Error say why.
	Failed
)

// String returns the state's lower-case name.
func (s SessionState) String() string {
	switch s {
	case NoSession:
		return "no session"
	case Running:
		return "running"
	case Detached:
		return "detached"
	case Exited:
		return "exited"
	case Restored:
		return "restored"
	case Stopped:
		return "stopped"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// Workspace is one row of the picker. Every string in it is untrusted.
type Workspace struct {
	Name     string
	State    SessionState
	Clients  int // attached clients, for Running
	ExitCode int // for Exited and Failed
	// Error is why the program could not start, for Failed.
	Error string
	// Since is when the session was detached, exited, restored, stopped or
	// failed.
	Since time.Time
	// LastActivity orders the list (most recently used first) and shows as
	// "3m ago".
	LastActivity time.Time
	Repo         bool   // the workspace is a git repository
	Branch       string // its current branch, for Repo
	Dirty        bool   // it has uncommitted changes, for Repo
	Title        string // the window title the program set
}

// Source is what the picker reads and asks for; the server implements it.
// Every method may be slow: the model calls them only from tea.Cmds, never
// in Update or View, and may call them from several goroutines at once.
// The messages of the errors it returns are shown to the user as they
// are: one line each, saying what was wrong and what to do.
type Source interface {
	// Workspaces lists the user's workspaces in any order.
	Workspaces(ctx context.Context) ([]Workspace, error)
	// Preview returns the session's current screen, cropped to cols x rows;
	// nil when there is no session. The text is untrusted.
	Preview(name string, cols, rows int) []string
	// ValidateName returns the name a new workspace called name would
	// have (names may be case-folded: "MyProj" makes "myproj"), or an error
	// whose message, one line, says what is wrong for a field that shows
	// the name.
	ValidateName(name string) (string, error)
	// SuggestName suggests a workspace name for a clone URL; "" when the
	// URL holds none.
	SuggestName(url string) string
	// Create makes an empty workspace and returns its name as made.
	Create(ctx context.Context, name string) (string, error)
	// Clone clones url into a new workspace and returns its name as made.
	// ctx is cancelled when the user presses esc; progress receives git's
	// output.
	Clone(ctx context.Context, name, url string, progress io.Writer) (string, error)
	// Delete stops the workspace's session and removes everything in it.
	Delete(ctx context.Context, name string) error
	// Stop stops the workspace's session.
	Stop(ctx context.Context, name string) error
	// Restart stops the workspace's session, if any, and starts a new one.
	Restart(ctx context.Context, name string) error
}

// Action is what the user chose when the picker ended.
type Action int

// Actions.
const (
	// ActionQuit: the user quit (q, ctrl+c) or the program was stopped.
	ActionQuit Action = iota
	// ActionAttach: attach to Result.Workspace, starting a session if it
	// has none.
	ActionAttach
)

// String returns "quit" or "attach".
func (a Action) String() string {
	if a == ActionAttach {
		return "attach"
	}
	return "quit"
}

// Result is what the picker returns when the program ends.
type Result struct {
	Action    Action
	Workspace string // for ActionAttach: the workspace's name, exactly as Source gave it
}
