package server

import (
	"context"
	"fmt"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/session"
	"github.com/warren-ssh/warren/internal/store"
)

// maintain runs the server's periodic chores until ctx ends: pruning the
// audit log past --audit-retention (at start, then hourly) and stopping
// detached sessions idle past --idle-timeout.
func (s *Server) maintain(ctx context.Context) {
	s.pruneAudit()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	var idle <-chan time.Time
	if s.cfg.IdleTimeout > 0 {
		t := time.NewTicker(min(s.cfg.IdleTimeout/4, 30*time.Second))
		defer t.Stop()
		idle = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.C:
			s.pruneAudit()
		case <-idle:
			s.stopIdle(time.Now())
		}
	}
}

func (s *Server) pruneAudit() {
	before := time.Now().Add(-s.cfg.AuditRetention)
	s.db.enqueue("prune audit log", func(ctx context.Context) error {
		n, err := s.store.PruneEvents(ctx, before)
		if err == nil && n > 0 {
			s.logger.Info("audit log pruned", "events", n, "before", before.UTC().Format(time.RFC3339))
		}
		return err
	})
}

// stopIdle stops every running session with no client attached and no
// output for --idle-timeout. Their histories are kept.
func (s *Server) stopIdle(now time.Time) {
	for _, si := range s.sessions.List("") {
		if si.State != session.StateRunning || si.Clients > 0 || now.Sub(si.LastActivity) < s.cfg.IdleTimeout {
			continue
		}
		s.logger.Info("stopping idle session", "login", si.Login, "workspace", si.Workspace,
			"idle", now.Sub(si.LastActivity).Round(time.Second).String())
		if err := s.sessions.Stop(si.Login, si.Workspace); err != nil {
			s.logger.Error("stop idle session", "login", si.Login, "workspace", si.Workspace, "err", err)
			continue
		}
		_ = s.audit.AddEvent(context.Background(), store.Event{Kind: eventSessionIdleStop, Login: si.Login,
			Detail: fmt.Sprintf("workspace=%s idle=%s", si.Workspace, now.Sub(si.LastActivity).Round(time.Second))})
	}
}

const eventSessionIdleStop = "session.idle_stop"

// keepaliveMisses is how many unanswered probes close a connection.
const keepaliveMisses = 3

// keepalive probes the client of conn every --keepalive with an OpenSSH
// keepalive request and closes the connection after three unanswered
// probes, so that a client that vanished (laptop lid, dead network) does not
// hold its connection slot forever. Its sessions keep running. It ends when
// ctx (the connection's) ends.
func (s *Server) keepalive(ctx context.Context, tc *trackedConn, conn *gossh.ServerConn) {
	interval := s.cfg.Keepalive
	t := time.NewTicker(interval)
	defer t.Stop()
	misses := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		replied := make(chan struct{})
		// The probe ends when the client answers or the connection closes.
		go func() {
			if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err == nil {
				close(replied)
			}
		}()
		select {
		case <-ctx.Done():
			return
		case <-replied:
			misses = 0
		case <-time.After(interval):
			if misses++; misses >= keepaliveMisses {
				s.logger.Info("connection closed: client stopped answering keepalives", "remote", tc.RemoteAddr().String(),
					"after", (time.Duration(keepaliveMisses) * interval).String())
				_ = tc.Close()
				return
			}
		}
	}
}
