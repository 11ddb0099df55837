package server

import (
	"context"
	"fmt"

	"charm.land/ssh"

	"github.com/warren-ssh/warren/internal/auth"
	"github.com/warren-ssh/warren/internal/commands"
	"github.com/warren-ssh/warren/internal/session"
	"github.com/warren-ssh/warren/internal/workspace"
)

// terminalFor returns the attachable terminal of sess, or nil when the
// client asked for no PTY.
func (s *Server) terminalFor(sess ssh.Session, id auth.Identity, t *channelTerminal) *sessionTerminal {
	p, ok := s.terms.lookup(sess)
	if !ok {
		return nil
	}
	win := session.Clamp(clampUint32(p.Window.Width), clampUint32(p.Window.Height))
	if !win.Valid() {
		win = session.Window{Cols: 80, Rows: 24}
	}
	return &sessionTerminal{s: s, id: id, t: t, term: cleanTerm(p.Term), win: win, out: sess}
}

// interactive serves a login without a command: it attaches to the login's
// default workspace. It returns the exit status.
func (s *Server) interactive(ctx context.Context, sess ssh.Session, st *sessionTerminal) int {
	if st == nil {
		fmt.Fprint(sess.Stderr(), "warren: an interactive login needs a terminal; use ssh -t, or run a command (try: help)\n")
		return commands.ExitUsage
	}
	code, err := s.attach(ctx, st, workspace.Default)
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "warren: %v\r\n", err)
		return commands.ExitFailure
	}
	return code
}

// commandList is every SSH command the server offers.
func (s *Server) commandList() []commands.Command {
	return []commands.Command{
		commands.Whoami(),
		commands.Attach(),
	}
}
