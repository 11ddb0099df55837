package admission

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
)

// WrapConn admits c's remote address. On refusal it returns the Admit error
// and the caller closes c unread. On success it returns c wrapped so that
// closing it closes the ticket with an outcome derived from what was seen:
// OutcomeOK if the ticket was marked Authenticated, OutcomeSilent if not a
// byte was read (and no authentication failed), OutcomeGraceExceeded if a
// read or write hit its deadline before authentication (charm ssh enforces
// HandshakeTimeout with a connection deadline), OutcomeAuthFail if the
// ticket was marked AuthFailed, and OutcomeNoAuth otherwise. The server
// still marks Authenticated (and AuthFailed) on the returned Ticket.
//
// With charm ssh, from the connection callback:
//
//	wc, t, err := gate.WrapConn(c)
//	if err != nil {
//		return nil // charm ssh closes c
//	}
//	ctx.SetValue(ticketKey{}, t)
//	return wc
func (g *Gate) WrapConn(c net.Conn) (net.Conn, *Ticket, error) {
	t, err := g.Admit(c.RemoteAddr())
	if err != nil {
		return nil, nil, err
	}
	return &conn{Conn: c, t: t}, t, nil
}

// conn is a net.Conn that closes its Ticket when it is closed.
type conn struct {
	net.Conn
	t        *Ticket
	spoke    atomic.Bool // a read returned at least one byte
	timedOut atomic.Bool // a read or write hit the deadline
}

func (c *conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.spoke.Store(true)
	}
	c.note(err)
	return n, err
}

func (c *conn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.note(err)
	return n, err
}

func (c *conn) note(err error) {
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		c.timedOut.Store(true)
	}
}

// Close closes the connection, then the ticket (once).
func (c *conn) Close() error {
	err := c.Conn.Close()
	now := c.t.g.now()
	c.t.g.mu.Lock()
	outcome := c.t.outcome(c.spoke.Load(), c.timedOut.Load())
	until := c.t.closeLocked(outcome, now)
	c.t.g.mu.Unlock()
	c.t.logPenalty(outcome, until)
	return err
}
