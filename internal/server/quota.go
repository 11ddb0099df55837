package server

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/warren-ssh/warren/internal/commands"
	"github.com/warren-ssh/warren/internal/quota"
	"github.com/warren-ssh/warren/internal/session"
)

// quotaRate bounds the disk usage measurements: entries (files and
// directories) counted per second, every login's together. A login with
// a million files is measured in under two minutes, at the cost of about
// one core-percent.
const quotaRate = 10000

// setupQuota readies the disk usage measurements of --disk-quota; Run
// starts them.
func (s *Server) setupQuota() error {
	if s.cfg.DiskQuota == 0 {
		return nil
	}
	t, err := quota.New(quota.Options{
		Limit:    s.cfg.DiskQuota,
		Interval: s.cfg.DiskQuotaInterval,
		Rate:     quotaRate,
		Logins:   s.quotaLogins,
		Trees:    s.quotaTrees,
		OnMeasure: func(string, quota.Usage) {
			s.metrics.quotaMeasures.Inc()
		},
		Logger: s.logger.With("component", "quota"),
	})
	if err != nil {
		return err
	}
	s.quota = t
	s.logger.Info("disk quota: each login's workspaces and HOME are measured in the background; a login over its quota cannot start a session",
		"quota", quota.FormatSize(s.cfg.DiskQuota), "interval", s.cfg.DiskQuotaInterval.String(), "rate", quotaRate)
	return nil
}

// quotaTrees are the directories that count against login's quota.
func (s *Server) quotaTrees(login string) []string {
	return []string{filepath.Join(s.cfg.WorkspacesDir(), login), filepath.Join(s.cfg.HomesDir(), login)}
}

// quotaLogins are the logins that have a workspaces or a HOME directory.
func (s *Server) quotaLogins() []string {
	var logins []string
	for _, dir := range []string{s.cfg.WorkspacesDir(), s.cfg.HomesDir()} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.IsDir() {
				logins = append(logins, e.Name())
			}
		}
	}
	slices.Sort(logins)
	return slices.Compact(logins)
}

// checkQuota refuses login a session start when its last measurement is
// over --disk-quota, with a reason for the user and CodeRefused.
func (s *Server) checkQuota(login string) error {
	if s.quota == nil {
		return nil
	}
	err := s.quota.Check(login)
	if err == nil {
		return nil
	}
	s.metrics.quotaRefusals.Inc()
	return &session.StartError{Code: session.CodeRefused, Reason: "cannot start a session: " + err.Error(), Err: err}
}

// DiskUsage implements commands.Disk: login's last measurement against
// --disk-quota.
func (s *Server) DiskUsage(login string) (commands.DiskUsage, bool) {
	if s.quota == nil {
		return commands.DiskUsage{}, false
	}
	u, ok := s.quota.Usage(login)
	d := commands.DiskUsage{Quota: s.quota.Limit(), Summary: quota.Summary(u, ok, s.quota.Limit())}
	if ok {
		d.Used, d.Measured = u.Bytes, u.Measured
	}
	return d, true
}

var _ commands.Disk = (*Server)(nil)
