package admission

import "errors"

// Errors returned by Gate.Admit, wrapped with the source and details; test
// them with errors.Is.
var (
	// ErrPenalized: the source's penalty is in its door stage; the message
	// says how long that has left.
	ErrPenalized = errors.New("source penalized")
	// ErrProbation: the source's penalty is in probation and its
	// connections so far used up the budget; the message says when the
	// next is admitted.
	ErrProbation = errors.New("source on probation: connection budget spent")
	// ErrSourceBusy: the source already holds Options.PerSource
	// unauthenticated connections.
	ErrSourceBusy = errors.New("too many unauthenticated connections from source")
	// ErrTooManyStartups: the global cap refused the connection, at full or
	// by random early drop.
	ErrTooManyStartups = errors.New("too many unauthenticated connections")
	// ErrInvalidStartups: ParseStartups or Startups.Validate rejected a value.
	ErrInvalidStartups = errors.New("invalid startups")
)
