package server

import (
	"context"
	"errors"
	"fmt"

	"charm.land/ssh"

	"github.com/warren-ssh/warren/internal/auth"
	"github.com/warren-ssh/warren/internal/commands"
	"github.com/warren-ssh/warren/internal/session"
	"github.com/warren-ssh/warren/tui"
)

// terminalFor returns the channel's terminal: its single input reader, and,
// when the client asked for a PTY, what attaching needs (st is nil
// without a PTY).
func (s *Server) terminalFor(sess ssh.Session, id auth.Identity) (*channelTerminal, *sessionTerminal) {
	p, ok := s.terms.lookup(sess)
	if !ok {
		return newChannelTerminal(sess, session.Window{}, nil), nil
	}
	win := session.Clamp(clampUint32(p.Window.Width), clampUint32(p.Window.Height))
	if !win.Valid() {
		win = session.Window{Cols: 80, Rows: 24}
	}
	term := cleanTerm(p.Term)
	bytesIn := s.metrics.bytes.WithLabelValues("in")
	t := newChannelTerminal(sess, win, func(n int) { bytesIn.Add(float64(n)) })
	env := append(append([]string(nil), sess.Environ()...), "TERM="+term)
	return t, &sessionTerminal{s: s, id: id, t: t, term: term, out: sess, env: env}
}

// interactive serves a login without a command: the picker, and the
// sessions picked from it, until the user quits or the connection ends.
// It returns the exit status.
func (s *Server) interactive(ctx context.Context, sess ssh.Session, st *sessionTerminal) int {
	if st == nil {
		fmt.Fprint(sess.Stderr(), "warren: an interactive login needs a terminal; use ssh -t, or run a command (try: help)\n")
		return commands.ExitUsage
	}
	selected, _ := s.store.LastWorkspace(ctx, st.id.Login)
	for {
		res, err := s.runPicker(ctx, st, selected)
		if err != nil {
			s.logger.Error("picker failed", "login", st.id.Login, "err", err)
			fmt.Fprintf(sess.Stderr(), "warren: %v\r\n", err)
			return commands.ExitServer
		}
		if res.Action != tui.ActionAttach || ctx.Err() != nil {
			return commands.ExitOK
		}
		selected = res.Workspace
		if _, err := s.attach(ctx, st, res.Workspace); err != nil {
			fmt.Fprintf(sess, "warren: %v\r\n", err)
			if errors.Is(err, session.ErrClosed) {
				return commands.ExitServer
			}
			continue
		}
		if st.lastReason == session.Disconnected || st.lastReason == session.Stopped && s.stopping.Load() {
			return commands.ExitOK
		}
	}
}

// commandList is every SSH command the server offers.
func (s *Server) commandList() []commands.Command {
	w := workspaceService{s}
	a := adminService{s}
	return []commands.Command{
		commands.WhoamiDisk(s),
		commands.Attach(),
		commands.Ls(w),
		commands.New(w),
		commands.Stop(w),
		commands.Rm(w),
		commands.History(w),
		commands.Keys(a),
		commands.RefreshKeys(a),
		commands.GiveKey(a),
		commands.Users(a),
		commands.Sessions(a),
		commands.Audit(a),
		commands.Kick(a),
	}
}
