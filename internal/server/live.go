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

// liveConns tracks authenticated connections so that a revocation (a login
// removed from the allowlist, a key deleted) closes them, and so that one
// login cannot hold more than max connections.
type liveConns struct {
	max int

	// mu guards the following.
	mu    sync.Mutex
	conns map[*gossh.ServerConn]*liveConn
	count map[string]int // connections per login
}

// liveConn is one authenticated connection and its open session channels.
type liveConn struct {
	id       auth.Identity
	key      gossh.PublicKey
	conn     *gossh.ServerConn
	sessions map[ssh.Session]struct{}
}

func newLiveConns(max int) *liveConns {
	return &liveConns{max: max, conns: map[*gossh.ServerConn]*liveConn{}, count: map[string]int{}}
}

// add registers a session channel of an authenticated connection. The
// returned release must be called when the channel ends.
func (l *liveConns) add(id auth.Identity, key gossh.PublicKey, conn *gossh.ServerConn, sess ssh.Session) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lc, ok := l.conns[conn]
	if !ok {
		if l.count[id.Login] >= l.max {
			return nil, fmt.Errorf("%w (%d)", errTooManyConns, l.max)
		}
		lc = &liveConn{id: id, key: key, conn: conn, sessions: map[ssh.Session]struct{}{}}
		l.conns[conn] = lc
		l.count[id.Login]++
	}
	lc.sessions[sess] = struct{}{}
	return func() { l.remove(conn, sess) }, nil
}

func (l *liveConns) remove(conn *gossh.ServerConn, sess ssh.Session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lc, ok := l.conns[conn]
	if !ok {
		return
	}
	delete(lc.sessions, sess)
	if len(lc.sessions) == 0 {
		delete(l.conns, conn)
		if l.count[lc.id.Login]--; l.count[lc.id.Login] <= 0 {
			delete(l.count, lc.id.Login)
		}
	}
}

// revoked returns the connections whose identity no longer holds.
func (l *liveConns) revoked(holds func(id auth.Identity, key gossh.PublicKey) bool) []*liveConn {
	l.mu.Lock()
	all := make([]*liveConn, 0, len(l.conns))
	for _, lc := range l.conns {
		all = append(all, lc)
	}
	l.mu.Unlock()
	var out []*liveConn
	for _, lc := range all {
		if !holds(lc.id, lc.key) {
			out = append(out, lc)
		}
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

// len is the number of live connections, for /metrics and tests.
func (l *liveConns) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}
