package server

import (
	"errors"
	"net"
	"os"
	"sync"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/admission"
)

// connKey finds a connection's *trackedConn in its ssh.Context.
type connKey struct{}

// trackedConn wraps every accepted TCP connection. It holds the connection's
// pre-authentication admission ticket and what the audit log needs to say
// about a refused login. It is never consulted for identity: that comes only
// from the verified key at session start.
type trackedConn struct {
	net.Conn
	ticket  *admission.Ticket
	ctx     ssh.Context
	onClose func(*trackedConn) // called once, after the connection closed

	// mu guards the following.
	mu            sync.Mutex
	authAttempted bool            // a public key was offered
	authenticated bool            // a key signature was verified
	lastOffered   gossh.PublicKey // the last key offered, for the audit log of a refusal
	lastAccepted  bool            // the last key offered was the login's, but no signature came
	refusedFor    string          // why a verified key was still refused, for the log and audit
	graceExceeded bool            // a read hit the handshake deadline
	closed        bool
	channels      int               // session channels open now
	probed        *gossh.ServerConn // set once the connection is kept alive
	outstanding   bool              // a keepalive probe is unanswered
	misses        int               // keepalive rounds with a probe unanswered
}

// Read notes when the login grace time ran out.
func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		c.mu.Lock()
		if !c.authenticated {
			c.graceExceeded = true
		}
		c.mu.Unlock()
	}
	return n, err
}

// offered records a key the client offered, and whether it was the login's.
// It runs in the public-key callback, once per key offered: the
// fingerprint is worked out only if the login is refused.
func (c *trackedConn) offered(key gossh.PublicKey, accepted bool) {
	c.mu.Lock()
	c.authAttempted = true
	c.lastOffered = key
	c.lastAccepted = accepted
	c.mu.Unlock()
}

func (c *trackedConn) verified() {
	c.mu.Lock()
	c.authenticated = true
	c.mu.Unlock()
	c.ticket.Authenticated()
}

// outcome classifies the connection for the admission penalties. A
// connection whose key checked out but whose login was refused anyway (it
// holds its cap of connections) proved it is a teammate's, not a guess:
// it is never counted as a failure against its source.
func (c *trackedConn) outcome() admission.Outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.authenticated:
		return admission.OutcomeOK
	case c.refusedFor != "":
		return admission.OutcomeRefused
	case c.graceExceeded:
		return admission.OutcomeGraceExceeded
	case c.authAttempted:
		return admission.OutcomeAuthFail
	default:
		return admission.OutcomeNoAuth
	}
}

// refusal returns what the audit log records for a connection that never
// authenticated, and whether there is anything to record.
func (c *trackedConn) refusal() (fingerprint string, attempted bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.authAttempted || c.authenticated {
		return "", false
	}
	return gossh.FingerprintSHA256(c.lastOffered), true
}

// refuse records why a key whose signature checked out was refused anyway.
func (c *trackedConn) refuse(reason string) {
	c.mu.Lock()
	c.refusedFor = reason
	c.mu.Unlock()
}

// refusedReason is why the connection's login was refused, when the
// connection itself knows: a verified key refused anyway, or an accepted key
// the client never signed with (it only asked, or gave up before signing).
// Otherwise it is "".
func (c *trackedConn) refusedReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refusedFor == "" && c.lastAccepted {
		return "not_signed"
	}
	return c.refusedFor
}

// Close releases the admission ticket once, with the connection's outcome.
func (c *trackedConn) Close() error {
	c.mu.Lock()
	first := !c.closed
	c.closed = true
	c.mu.Unlock()
	err := c.Conn.Close()
	if first {
		c.ticket.Close(c.outcome())
		if c.onClose != nil {
			c.onClose(c)
		}
	}
	return err
}

func trackedFromContext(ctx ssh.Context) *trackedConn {
	c, _ := ctx.Value(connKey{}).(*trackedConn)
	return c
}

// keepAlive makes the connection one the keepalive loop probes.
func (c *trackedConn) keepAlive(conn *gossh.ServerConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.probed == nil {
		c.probed = conn
	}
}

// probe is the keepalive loop's round for this connection: the connection
// to probe (nil when it is not kept alive), and how many rounds in a row
// found the previous probe unanswered. When that is 0, a new probe is
// counted as out.
func (c *trackedConn) probe() (conn *gossh.ServerConn, missed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.probed == nil || c.closed {
		return nil, 0
	}
	if c.outstanding {
		c.misses++
		return c.probed, c.misses
	}
	c.outstanding = true
	return c.probed, 0
}

// answered records the client's answer to the outstanding probe.
func (c *trackedConn) answered() {
	c.mu.Lock()
	c.outstanding, c.misses = false, 0
	c.mu.Unlock()
}

// openChannel counts a new session channel, unless the connection already
// holds maxSessionChannels.
func (c *trackedConn) openChannel() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.channels >= maxSessionChannels {
		return false
	}
	c.channels++
	return true
}

func (c *trackedConn) closeChannel() {
	c.mu.Lock()
	c.channels--
	c.mu.Unlock()
}
