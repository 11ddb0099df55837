package server

import (
	"context"
	"fmt"

	gossh "golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/auth"
	"github.com/warren-ssh/warren/internal/store"
)

// watchRevocations closes live connections whose login left the allowlist
// or whose key was withdrawn, as soon as the authenticator reports a change.
// It ends when ctx ends.
func (s *Server) watchRevocations(ctx context.Context) {
	for {
		changed := s.auth.Changed()
		select {
		case <-ctx.Done():
			return
		case <-changed:
			s.revoke()
		}
	}
}

func (s *Server) revoke() {
	holds := func(id auth.Identity, key gossh.PublicKey) bool {
		now, ok := s.auth.Identify(key)
		return ok && now.Login == id.Login
	}
	for _, lc := range s.live.revoked(holds) {
		for _, sess := range s.live.sessionsOf(lc) {
			fmt.Fprintf(sess.Stderr(), "\r\nwarren: access for %s was revoked\r\n", lc.id.Login)
		}
		remote := lc.tc.RemoteAddr().String()
		reason, holder := s.refusalReason(lc.id.Login, lc.id.Fingerprint)
		detail, logArgs := reason, []any{"login", lc.id.Login, "remote", remote, "fingerprint", lc.id.Fingerprint, "reason", reason}
		if reason == reasonKeyConflict {
			// An admin gave the key to another login.
			detail, logArgs = reason+": held by "+holder, append(logArgs, "holder", holder)
		}
		s.logger.Info("connection closed: access revoked", logArgs...)
		_ = s.audit.AddEvent(context.Background(), store.Event{Kind: eventSessionRevoked, Login: lc.id.Login,
			Remote: remote, Fingerprint: lc.id.Fingerprint, Detail: detail})
		_ = lc.tc.Close()
	}
}

// tellAll writes a one-line notice to every live session channel.
func (s *Server) tellAll(msg string) {
	for _, lc := range s.live.all() {
		for _, sess := range s.live.sessionsOf(lc) {
			fmt.Fprintf(sess.Stderr(), "\r\nwarren: %s\r\n", msg)
		}
	}
}
