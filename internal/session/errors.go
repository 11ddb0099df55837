package session

import "errors"

// Sentinel errors. Callers match them with errors.Is.
var (
	// ErrNotFound means there is no session for the login and workspace.
	ErrNotFound = errors.New("session not found")
	// ErrTooManySessions means the login already runs Options.MaxPerLogin sessions.
	ErrTooManySessions = errors.New("too many sessions")
	// ErrAlreadyRunning means Start found the session's program running.
	ErrAlreadyRunning = errors.New("session already running")
	// ErrClosed means the Manager has been shut down.
	ErrClosed = errors.New("session manager closed")
	// ErrInvalidSpec means a Spec lacks a login or workspace.
	ErrInvalidSpec = errors.New("invalid session spec")
	// ErrInvalidClient means a Client lacks its Input or Output.
	ErrInvalidClient = errors.New("invalid client")
	// ErrInvalidOptions means Options are missing a required field.
	ErrInvalidOptions = errors.New("invalid session options")
)

// Exit codes of a session whose program could not be started, as a shell
// gives them.
const (
	CodeNotFound      = 127 // no such program
	CodeNotExecutable = 126 // found, but it cannot be executed
	CodeStartFailed   = 255 // anything else before it ran: workspace, PTY, confinement
	CodeRefused       = 1   // refused for a limit the login can act on (its disk quota)
)

// StartError is why a session's program could not be started. Attach and
// Start return it (wrapped); the session is then in StateFailed with the
// same Code and Reason.
type StartError struct {
	Code   int    // CodeNotFound, CodeNotExecutable, CodeStartFailed or CodeRefused
	Reason string // one line for the user, as Info.Error
	Err    error  // the underlying error
}

func (e *StartError) Error() string { return e.Reason }

func (e *StartError) Unwrap() error { return e.Err }
