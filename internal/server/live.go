package server

import (
	"errors"
	"fmt"
	"sync"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/auth"
)

// errTooManyConns refuses a login that already holds its cap of connections.
var errTooManyConns = errors.New("too many connections for this login")

// liveConns tracks authenticated connections, from the moment a signature
// is verified until the TCP connection closes, so that a revocation (a login
// removed from the allowlist, a key withdrawn) closes them — with or without
// open session channels — and so that one login cannot hold more than max
// connections, `ssh -N` ones included.
type liveConns struct {
	max int

	// mu guards the following.
	mu    sync.Mutex
	conns map[*trackedConn]*liveConn
}

// liveConn is one authenticated connection and its open session channels.
type liveConn struct {
	id       auth.Identity
	key      gossh.PublicKey
	tc       *trackedConn
	sessions map[ssh.Session]struct{}
}

func newLiveConns(max int) *liveConns {
	return &liveConns{max: max, conns: map[*trackedConn]*liveConn{}}
}

// register records a connection whose key signature was just verified,
// unless the login already holds max connections: errTooManyConns.
func (l *liveConns) register(tc *trackedConn, id auth.Identity, key gossh.PublicKey) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	held := 0
	for other, lc := range l.conns {
		if other != tc && lc.id.Login == id.Login {
			held++
		}
	}
	if held >= l.max {
		return fmt.Errorf("%w (%d)", errTooManyConns, l.max)
	}
	l.conns[tc] = &liveConn{id: id, key: key, tc: tc, sessions: map[ssh.Session]struct{}{}}
	return nil
}

// unregister forgets a closed connection.
func (l *liveConns) unregister(tc *trackedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.conns, tc)
}

// addSession registers a session channel of an authenticated connection.
// The returned release must be called when the channel ends.
func (l *liveConns) addSession(tc *trackedConn, sess ssh.Session) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lc, ok := l.conns[tc]
	if !ok {
		return nil, errors.New("connection is not registered as authenticated")
	}
	lc.sessions[sess] = struct{}{}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(lc.sessions, sess)
	}, nil
}

// revoked returns the connections whose identity no longer holds.
func (l *liveConns) revoked(holds func(id auth.Identity, key gossh.PublicKey) bool) []*liveConn {
	var out []*liveConn
	for _, lc := range l.all() {
		if !holds(lc.id, lc.key) {
			out = append(out, lc)
		}
	}
	return out
}

// all returns a snapshot of every live connection.
func (l *liveConns) all() []*liveConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*liveConn, 0, len(l.conns))
	for _, lc := range l.conns {
		out = append(out, lc)
	}
	return out
}

// sessionsOf returns a snapshot of lc's session channels.
func (l *liveConns) sessionsOf(lc *liveConn) []ssh.Session {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ssh.Session, 0, len(lc.sessions))
	for s := range lc.sessions {
		out = append(out, s)
	}
	return out
}

// len is the number of live authenticated connections.
func (l *liveConns) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}
