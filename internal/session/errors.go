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
