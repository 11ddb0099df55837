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

// keepaliveRequest is OpenSSH's keepalive: clients answer it with a
// failure, which is an answer all the same.
const keepaliveRequest = "keepalive@openssh.com"

// keepalive probes every authenticated connection each --keepalive and
// closes one whose client left three probes in a row unanswered, so that a
// client that froze or vanished (laptop lid, dead network, SIGSTOP) does
// not hold its connection, and its place under --max-conns-per-login,
// forever; its sessions keep running. The probe that goes unanswered goes
// out at most one interval after the client's last answer, and the
// connection is closed three intervals later. The loop ends when ctx ends.
func (s *Server) keepalive(ctx context.Context) {
	t := time.NewTicker(s.cfg.Keepalive)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.keepaliveRound(now)
		}
	}
}

// keepaliveRound is one round of the keepalive loop. It never waits on a
// client: each probe runs on a goroutine of its own, which ends when the
// client answers or the connection closes.
func (s *Server) keepaliveRound(now time.Time) {
	for _, lc := range s.live.all() {
		p, missed := lc.tc.probe()
		switch {
		case p == nil:
		case missed >= keepaliveMisses:
			s.closeSilent(lc, now)
		case missed == 0:
			go func(tc *trackedConn) {
				if _, _, err := p.SendRequest(keepaliveRequest, true, nil); err == nil {
					tc.answered(time.Now())
				}
			}(lc.tc)
		}
	}
}

// closeSilent closes a connection whose client stopped answering, and logs
// it once.
func (s *Server) closeSilent(lc *liveConn, now time.Time) {
	silent, lasted, first := lc.tc.dropSilent(now)
	if first {
		s.logger.Info("connection closed: client stopped answering keepalives",
			"login", lc.id.Login, "remote", lc.tc.RemoteAddr().String(), "missed", keepaliveMisses,
			"silent", silent.Round(100*time.Millisecond).String(), "duration", lasted.Round(100*time.Millisecond).String())
	}
	_ = lc.tc.Close()
}
