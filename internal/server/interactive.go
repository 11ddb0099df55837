package server

import (
	"fmt"

	"charm.land/ssh"

	"github.com/warren-ssh/warren/internal/commands"
)

// interactive serves a login without a command. It returns the exit status.
func (s *Server) interactive(sess ssh.Session, _ *channelTerminal) int {
	id, _ := IdentityFromContext(sess.Context())
	nl := "\n"
	if _, ok := s.terms.lookup(sess); ok {
		nl = "\r\n"
	}
	fmt.Fprintf(sess, "Hello %s, you are in (key %s). Sessions arrive in a later release.%s", id.Login, id.Fingerprint, nl)
	return commands.ExitOK
}

// commandList is every SSH command the server offers.
func (s *Server) commandList() []commands.Command {
	return []commands.Command{
		commands.Whoami(),
	}
}
