package server

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/commands"
	"github.com/warren-ssh/warren/internal/store"
)

// middleware is the whole chain, in one place.
//
// wish composes this list so that the LAST entry runs FIRST: read it from
// the bottom up to follow a session channel through the server.
func (s *Server) middleware() []wish.Middleware {
	return []wish.Middleware{
		// 5. Runs the SSH command, or the interactive terminal.
		s.dispatch,
		// 4. Agent forwarding.
		s.connectionServices,
		// 3. One log line when the channel opens and one when it ends, with
		//    the verified login and key fingerprint.
		s.logSession,
		// 2. Identity: the owner of the key that completed authentication,
		//    re-checked against the allowlist and the SSH user name; the
		//    per-login connection cap; registration for revocation.
		s.verifyIdentity,
		// 1. Outermost: a panic ends this channel only, never the server.
		s.recoverPanic,
	}
}

func (s *Server) recoverPanic(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer func() {
			if r := recover(); r != nil {
				s.logger.Error("panic in session handler", "panic", r, "remote", sess.RemoteAddr().String(), "stack", string(debug.Stack()))
				fmt.Fprint(sess.Stderr(), "warren: internal error\r\n")
				_ = sess.Exit(commands.ExitServer)
			}
		}()
		next(sess)
	}
}

func (s *Server) logSession(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		kind := "shell"
		if sess.RawCommand() != "" {
			kind = "exec"
		}
		id, _ := IdentityFromContext(sess.Context())
		s.logger.Info("connect", "login", id.Login, "fingerprint", id.Fingerprint, "remote", sess.RemoteAddr().String(), "kind", kind)
		defer func() {
			s.logger.Info("disconnect", "login", id.Login, "remote", sess.RemoteAddr().String(),
				"duration", time.Since(start).Round(time.Millisecond).String())
		}()
		next(sess)
	}
}

// verifyIdentity derives the caller from sess.PublicKey(), the key whose
// signature completed authentication, never from anything the public-key
// callback saw. The SSH user name must name that key's owner.
func (s *Server) verifyIdentity(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		key := sess.PublicKey()
		deny := func(reason string) {
			fp := ""
			if key != nil {
				fp = gossh.FingerprintSHA256(key)
			}
			s.logger.Warn("session refused", "login", printable(sess.User()), "remote", sess.RemoteAddr().String(), "fingerprint", fp, "reason", reason)
			_ = s.audit.AddEvent(sess.Context(), store.Event{Kind: eventSessionRefused, Login: printable(sess.User()),
				Remote: sess.RemoteAddr().String(), Fingerprint: fp, Detail: reason})
			fmt.Fprint(sess.Stderr(), "warren: permission denied\r\n")
			_ = sess.Exit(commands.ExitFailure)
		}
		if key == nil {
			deny("no verified public key")
			return
		}
		id, ok := s.auth.Identify(key)
		if !ok {
			deny("key owner unknown or not allowlisted")
			return
		}
		if !strings.EqualFold(sess.User(), id.Login) {
			deny(fmt.Sprintf("user %q is not the key owner %q", printable(sess.User()), id.Login))
			return
		}
		tc := trackedFromContext(sess.Context())
		if tc == nil {
			deny("connection was not admitted")
			return
		}
		release, err := s.live.addSession(tc, sess)
		if err != nil {
			s.logger.Warn("session refused", "login", id.Login, "remote", sess.RemoteAddr().String(), "reason", err)
			fmt.Fprintf(sess.Stderr(), "warren: %v\r\n", err)
			_ = sess.Exit(commands.ExitFailure)
			return
		}
		defer release()
		withIdentity(sess.Context(), id)
		next(sess)
	}
}

// connectionServices, when the client forwards its agent, makes it the
// login's current agent for as long as this channel lasts. (Keepalives
// need no channel: the keepalive loop probes every authenticated
// connection.)
func (s *Server) connectionServices(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		conn, ok := sess.Context().Value(ssh.ContextKeyConn).(*gossh.ServerConn)
		id, _ := IdentityFromContext(sess.Context())
		if ok && ssh.AgentRequested(sess) {
			remove, err := s.agents.add(id.Login, conn)
			if err != nil {
				s.logger.Error("agent forwarding", "login", id.Login, "err", err)
			} else {
				defer remove()
			}
		}
		next(sess)
	}
}

// dispatch runs an SSH command, or the interactive terminal when there is none.
func (s *Server) dispatch(_ ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		id, _ := IdentityFromContext(sess.Context())
		t, st := s.terminalFor(sess, id)
		defer t.close()
		if len(sess.Command()) == 0 {
			_ = sess.Exit(s.interactive(sess.Context(), sess, st))
			return
		}
		env := commands.Env{
			Identity: commands.Identity{Login: id.Login, Admin: id.Admin, Fingerprint: id.Fingerprint},
			Stdout:   sess, Stderr: sess.Stderr(), PTY: st != nil,
		}
		if st != nil {
			env.Terminal = st
		}
		started := time.Now()
		code := s.router.Run(sess.Context(), env, sess.Command())
		took := time.Since(started)
		name := sess.Command()[0]
		if !s.router.Has(name) {
			name = "unknown"
		}
		s.metrics.commands.WithLabelValues(name, fmt.Sprint(code)).Inc()
		s.metrics.took.WithLabelValues(name).Observe(took.Seconds())
		s.logger.Debug("command done", "login", id.Login, "command", name, "code", code, "took", took)
		_ = sess.Exit(code)
	}
}
