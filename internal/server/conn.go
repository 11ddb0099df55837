package server

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"

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
	spoke         bool            // a read returned at least one byte from the client
	graceExceeded bool            // a read hit the handshake deadline
	closed        bool
	channels      int       // session channels open now
	verifiedAt    time.Time // when the key signature was verified
	probed        prober    // what the keepalive loop probes, once the handshake is done
	outstanding   bool      // a keepalive probe is out, sent or still queued, and unanswered
	misses        int       // keepalive rounds that found the probe still unanswered
	lastAnswer    time.Time // when the client last answered a probe (verifiedAt before)
	silentDrop    bool      // closed for missed keepalives, and logged
}

// prober sends a global request and waits for the answer, as
// *gossh.ServerConn does.
type prober interface {
	SendRequest(name string, wantReply bool, payload []byte) (bool, []byte, error)
}

// Read notes the client's first byte, and when the login grace time ran
// out.
func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	deadline := err != nil && errors.Is(err, os.ErrDeadlineExceeded)
	if n > 0 || deadline {
		c.mu.Lock()
		if n > 0 {
			c.spoke = true
		}
		if deadline && !c.authenticated {
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

func (c *trackedConn) verified(now time.Time) {
	c.mu.Lock()
	c.authenticated = true
	c.verifiedAt, c.lastAnswer = now, now
	c.mu.Unlock()
	c.ticket.Authenticated()
}

// outcome classifies the connection for the admission penalties. A
// connection whose key checked out but whose login was refused anyway (it
// holds its cap of connections) proved it is a teammate's, not a guess:
// it is never counted as a failure against its source. One that never sent
// a byte is silent, however it ended: an idle TCP connection held to the
// grace time is not a stalled handshake.
func (c *trackedConn) outcome() admission.Outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.authenticated:
		return admission.OutcomeOK
	case c.refusedFor != "":
		return admission.OutcomeRefused
	case !c.spoke && !c.authAttempted:
		return admission.OutcomeSilent
	case c.graceExceeded:
		return admission.OutcomeGraceExceeded
	case c.authAttempted:
		return admission.OutcomeAuthFail
	default:
		return admission.OutcomeNoAuth
	}
}

// timedOut reports whether the login grace time closed the connection.
func (c *trackedConn) timedOut() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.graceExceeded
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

// probe is the keepalive loop's round for this connection: what to probe
// (nil while the connection is not authenticated, still finishing its
// handshake, or closed), and how many rounds in a row found the probe
// unanswered. When that is 0, a new probe is counted as out from now,
// before it is sent: a probe stuck behind output the client does not read
// (its SSH window or the TCP send buffer full, the transport's write lock
// held by a blocked channel write) is as unanswered as a lost one.
//
// Every authenticated connection is probed, with or without a session
// channel: a frozen `ssh -N` holds a place under --max-conns-per-login.
func (c *trackedConn) probe() (p prober, missed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.authenticated || c.closed {
		return nil, 0
	}
	if c.probed == nil {
		// charm ssh stores the connection right after the handshake.
		conn, ok := c.ctx.Value(ssh.ContextKeyConn).(*gossh.ServerConn)
		if !ok {
			return nil, 0
		}
		c.probed = conn
	}
	if c.outstanding {
		c.misses++
		return c.probed, c.misses
	}
	c.outstanding = true
	return c.probed, 0
}

// answered records the client's answer to the outstanding probe.
func (c *trackedConn) answered(now time.Time) {
	c.mu.Lock()
	c.outstanding, c.misses = false, 0
	c.lastAnswer = now
	c.mu.Unlock()
}

// dropSilent marks the connection as closed for missed keepalives. It
// returns how long the client has been silent (since its last answer) and
// how long the connection lasted, and first, true only for the first call.
func (c *trackedConn) dropSilent(now time.Time) (silent, lasted time.Duration, first bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first = !c.silentDrop
	c.silentDrop = true
	return now.Sub(c.lastAnswer), now.Sub(c.verifiedAt), first
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
