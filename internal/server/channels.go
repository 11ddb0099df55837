package server

import (
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// maxSessionChannels caps the session channels one connection may hold open
// at once, as OpenSSH's MaxSessions does (default 10): a client cannot make
// warren hold unbounded per-channel state on one connection.
const maxSessionChannels = 10

// limitedSessionHandler is charm ssh's session handler behind the
// per-connection cap; the count lives in the connection's trackedConn.
func (s *Server) limitedSessionHandler(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	tc := trackedFromContext(ctx)
	if tc == nil || !tc.openChannel() {
		s.logger.Info("session channel refused: too many on one connection", "remote", conn.RemoteAddr().String(), "max", maxSessionChannels)
		_ = newChan.Reject(gossh.ResourceShortage, "too many session channels on this connection")
		return
	}
	defer tc.closeChannel()
	ssh.DefaultSessionHandler(srv, conn, newChan, ctx)
}
