// Package server assembles warren: the wish SSH server and its middleware
// chain, the authentication callbacks, pre-authentication admission control,
// the live-connection registry that enforces revocations, the single reader
// of each SSH channel and the hand-off between the picker and an attached
// session, the /healthz and /metrics listener, and graceful shutdown.
//
// It is the only package besides cmd/warren that reads config.Config; every
// other package gets its own Options built here. It owns no SQL (that is
// internal/store) and no PTY (that is internal/session).
package server
