package store

import "time"

// User is one login that has been seen by the server.
type User struct {
	Login     string
	FirstSeen time.Time
	LastLogin time.Time // zero when the login never completed authentication
}

// KeySet is the cached public keys of one login, as last fetched.
type KeySet struct {
	Login string
	// Keys holds authorized_keys lines in the normal form "type base64",
	// without options or comments, sorted and without duplicates.
	Keys []string
	// FetchedAt is the time of the last successful fetch (zero if never).
	FetchedAt time.Time
	// CheckedAt is the time of the last attempt, successful or not.
	CheckedAt time.Time
	// LastError is the reason the last attempt failed; empty after a success.
	LastError string
}

// KeyClaim is one login's claim on a public key: the key's holder, the one
// login it identifies, or another login that lists it and is refused for it.
type KeyClaim struct {
	Fingerprint string // SHA256 fingerprint
	Login       string
	Holder      bool
	// Since is when the holder took the key, or when a refused login was
	// first seen listing it.
	Since time.Time
	// How is how the holder came to hold it (KeyListed, KeySigned,
	// KeyGiven); "" for a refused claim.
	How string
}

// How a key's holder came to hold it.
const (
	KeyListed = "listed" // the first login seen listing it
	KeySigned = "signed" // the holder signed in with it
	KeyGiven  = "given"  // an admin gave it to the holder
)

// Account is the Unix identity of one login: its uid, which is also its gid.
type Account struct {
	Login     string
	UID       uint32
	CreatedAt time.Time // when the uid was given
}

// Event is one audit log entry.
type Event struct {
	ID          int64
	At          time.Time
	Kind        string // e.g. "login.accepted", "login.refused", "keys.changed"
	Login       string // the login the event is about
	Actor       string // who caused it, when not Login itself: the admin of an admin.* event; else ""
	Remote      string // source address, host:port
	Fingerprint string // SHA256 fingerprint of the key involved, if any
	Detail      string // reason or free-form detail
}

// EventFilter selects audit events. Zero fields do not filter.
type EventFilter struct {
	Since time.Time
	Login string
	Actor string
	Kind  string
	Limit int // 0 means a default of 1000
}

// Session is the durable record of one (login, workspace) session.
type Session struct {
	Login     string
	Workspace string
	ID        string // UUID, stable for the life of the conversation
	State     string // SessionRunning, SessionExited, SessionStopped or SessionFailed
	ExitCode  int
	// Error says why the program could not start, for SessionFailed;
	// empty otherwise.
	Error     string
	Cols      int // window size the session last ran at; 0 when unknown
	Rows      int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Session states.
const (
	SessionRunning = "running"
	SessionExited  = "exited"
	SessionStopped = "stopped"
	SessionFailed  = "failed" // the program could not start (see Error)
)
