package server

import (
	"context"
	"fmt"
	"time"

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

// keepalive probes, every --keepalive, each authenticated connection that
// opened a session channel, with an OpenSSH keepalive request, and closes a
// connection whose client left three probes in a row unanswered, so that a
// client that vanished (laptop lid, dead network) does not hold its
// connection forever. Its sessions keep running. One loop serves every
// connection; each probe runs on a goroutine that ends when the client
// answers or the connection closes. The loop ends when ctx ends.
func (s *Server) keepalive(ctx context.Context) {
	interval := s.cfg.Keepalive
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, lc := range s.live.all() {
			conn, missed := lc.tc.probe()
			if conn == nil {
				continue
			}
			if missed >= keepaliveMisses {
				s.logger.Info("connection closed: client stopped answering keepalives", "remote", lc.tc.RemoteAddr().String(),
					"login", lc.id.Login, "after", (time.Duration(keepaliveMisses) * interval).String())
				_ = lc.tc.Close()
				continue
			}
			if missed > 0 {
				continue // the last probe is still out
			}
			go func(tc *trackedConn) {
				if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err == nil {
					tc.answered()
				}
			}(lc.tc)
		}
	}
}
