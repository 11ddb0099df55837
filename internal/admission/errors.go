package admission

import "errors"

// Errors returned by Gate.Admit, wrapped with the source and details; test
// them with errors.Is.
var (
	// ErrPenalized: the source is serving a penalty; the message says how
	// long it has left.
	ErrPenalized = errors.New("source penalized")
	// ErrSourceBusy: the source already holds Options.PerSource
	// unauthenticated connections.
	ErrSourceBusy = errors.New("too many unauthenticated connections from source")
	// ErrTooManyStartups: the global cap refused the connection, at full or
	// by random early drop.
	ErrTooManyStartups = errors.New("too many unauthenticated connections")
	// ErrInvalidStartups: ParseStartups or Startups.Validate rejected a value.
	ErrInvalidStartups = errors.New("invalid startups")
)
