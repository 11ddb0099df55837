package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/warren-ssh/warren/internal/cgroup"
	"github.com/warren-ssh/warren/internal/isolation"
)

// errSharedRefused is start-up's answer when sessions could only run as the
// server's own user and nobody said that is fine.
var errSharedRefused = errors.New("sessions cannot run as their login's own uid")

// setupIsolation decides the mode sessions run in and says so in one log
// line. Isolated mode when the server can switch uids; otherwise shared,
// which needs --allow-shared-uid unless warren serves only the local user
// (no allowlist: laptop mode). It never falls back silently.
func (s *Server) setupIsolation() error {
	cfg := s.cfg
	rng, report, err := checkIsolation(cfg) // checked before, in preflight
	if err != nil {
		return err
	}
	laptop := laptopMode(cfg)
	if report.Mode == isolation.Isolated {
		// Sessions pass through the data dir to their own directories, and
		// start through this binary.
		if err := os.Chmod(cfg.DataDir, 0o711); err != nil {
			return fmt.Errorf("--data: %w", err)
		}
		if err := isolation.CheckReachable(cfg.DataDir, false); err != nil {
			return fmt.Errorf("--data: sessions run as other uids and must reach it: %w", err)
		}
	}
	if s.shim, err = findShim(); err != nil {
		return err
	}
	if report.Mode == isolation.Isolated {
		if why := isolation.CheckReachable(s.shim, true); why != nil {
			// `go run` builds into a 0700 cache: sessions start through a
			// copy in the data dir instead.
			cp, err := isolation.CopyExecutable(s.shim, filepath.Join(cfg.DataDir, "libexec"), filepath.Base(s.shim))
			if err != nil {
				return fmt.Errorf("sessions start through %s, which they cannot reach (%v), and copying it failed: %w", s.shim, why, err)
			}
			s.logger.Info("sessions start through a copy of a binary session uids cannot reach", "binary", s.shim, "why", why.Error(), "copy", cp)
			s.shim = cp
		}
	}
	if cfg.Sandbox == "bwrap" {
		if s.bwrap, err = lookBwrap(); err != nil {
			return err
		}
	}
	// Each login's uid gets a passwd and group entry of its own, which its
	// programs read through nss_wrapper (and, sandboxed, as /etc/passwd).
	var nssWrapper string
	if report.Mode == isolation.Isolated {
		if nssWrapper, err = isolation.FindNSSWrapper(); err != nil {
			s.warnNoNSSWrapper(err)
		}
	}
	if s.accounts, err = isolation.NewAccounts(isolation.Options{
		Mode:       report.Mode,
		Range:      rng,
		Allocator:  s.store,
		Trees:      []string{cfg.WorkspacesDir(), cfg.HomesDir()},
		Homes:      cfg.HomesDir(),
		NamesDir:   filepath.Join(cfg.DataDir, "nss"),
		NSSWrapper: nssWrapper,
		Logger:     s.logger,
	}); err != nil {
		return err
	}
	if report.Mode == isolation.Isolated {
		s.openCgroups()
	}
	if cfg.SessionMemory > 0 && s.cgroups == nil {
		s.logger.Warn("--session-memory is not enforced: it needs per-login cgroups (isolated mode on a writable cgroup v2 tree)", "mode", report.Mode)
	}
	switch {
	case report.Mode == isolation.Isolated:
		s.logger.Info("isolation: every login's sessions run as its own uid", "mode", report.Mode, "uid_range", rng.String(), "sandbox", orNone(cfg.Sandbox), "shim", s.shim, "user_names", s.userNames())
	case laptop && !cfg.AllowSharedUID:
		s.logger.Info("isolation: sessions run as the server's own user, which serves only the local user", "mode", report.Mode, "reason", report.Reason, "sandbox", orNone(cfg.Sandbox))
	default:
		s.logger.Warn("isolation: every session runs as the server's own user and can read every other login's files, allowed by --allow-shared-uid", "mode", report.Mode, "reason", report.Reason, "sandbox", orNone(cfg.Sandbox))
		s.pickerWarning = "shared mode: every login's sessions run as one Unix user and can read each other's files"
	}
	return nil
}

// warnNoNSSWrapper says, once, what isolated mode loses without
// nss_wrapper: a login's uid has no name where its programs look it up.
func (s *Server) warnNoNSSWrapper(why error) {
	const fix = "install the Debian package libnss-wrapper (the Docker image has it)"
	if s.cfg.Sandbox == "bwrap" {
		s.logger.Warn("user names: libnss-wrapper is not installed, so git commands warren runs as a login (a clone over ssh) find no passwd entry for its uid; sessions still do, through the sandbox's own /etc/passwd: "+fix, "missing", isolation.NSSWrapperLib, "reason", why.Error())
		return
	}
	s.logger.Warn("user names: libnss-wrapper is not installed, so a login's programs find no passwd entry for its uid: bash's prompt says \"I have no name!\", whoami, ssh and git clone over ssh fail, git has no author, Python's pwd and Node's os.userInfo raise: "+fix, "missing", isolation.NSSWrapperLib, "reason", why.Error())
}

// userNames says how a login's programs resolve its uid to a name, for
// the start-up log and /healthz: "host" (shared mode: the server's own
// entry), "nss_wrapper" (each login's own files), "bwrap" (those files,
// only inside the sandbox: nss_wrapper is missing) or "unresolved".
func (s *Server) userNames() string {
	names := s.accounts.NameService()
	if names == isolation.NamesUnresolved && s.bwrap != "" {
		return "bwrap"
	}
	return names
}

// openCgroups puts each login's sessions in a cgroup of their own with
// --session-pids and --session-memory, when the server can use a writable
// cgroup v2 subtree; otherwise it says, in one line, why only the rlimits
// apply.
func (s *Server) openCgroups() {
	cfg := s.cfg
	if cfg.SessionPids == 0 && cfg.SessionMemory == 0 {
		return
	}
	tree, err := cgroup.Open(cgroup.Options{Memory: cfg.SessionMemory > 0})
	if err != nil {
		s.logger.Info("cgroup limits unavailable: each session still has its rlimits (--session-pids per uid, --session-nofile)", "reason", err.Error())
		return
	}
	s.cgroups = tree
	s.logger.Info("cgroup limits on: one cgroup per login", "dir", tree.Dir(), "pids", cfg.SessionPids, "memory", cfg.SessionMemory)
}

// findShim returns the program every session starts through: the
// standalone warren-session-exec installed beside warren, or else warren
// itself (`warren session-exec`), which starts about 70 ms slower.
func findShim() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the warren binary: %w", err)
	}
	p := filepath.Join(filepath.Dir(self), isolation.ShimBinary)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
		return p, nil
	}
	return self, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// credential is the workspace manager's view of accounts: the uid and gid
// git runs with for login, nil in shared mode.
func (s *Server) credential(login string) (*syscall.Credential, error) {
	acct, err := s.accounts.Get(context.Background(), login)
	if err != nil {
		return nil, err
	}
	return acct.Credential(), nil
}

// limits are what every program of acct starts with.
func (s *Server) limits(acct isolation.Account) isolation.Limits {
	l := isolation.Limits{Files: uint64(s.cfg.SessionNofile)}
	if acct.Isolated {
		// RLIMIT_NPROC counts every process of the uid: in shared mode
		// that would be the server's own, and the whole machine user's.
		l.Procs = uint64(s.cfg.SessionPids)
	}
	return l
}

// wrapGit starts login's git commands (clone, status) through the shim,
// with the umask and limits its sessions get.
func (s *Server) wrapGit(login string, cmd *exec.Cmd) error {
	acct, err := s.accounts.Get(context.Background(), login)
	if err != nil {
		return err
	}
	// ssh (a clone over ssh) and git itself look the uid up.
	cmd.Env = s.accounts.NameEnv(cmd.Env, acct)
	return isolation.Wrap(cmd, s.shim, s.limits(acct))
}

// confine readies a session's program for login: its own uid and gid with
// no supplementary groups, its shell as SHELL, the program's directory on
// PATH, the login's own passwd and group entries (through nss_wrapper, or
// as the sandbox's /etc/passwd and /etc/group), the optional bubblewrap
// sandbox, and the shim that sets umask and resource limits before exec.
func (s *Server) confine(login string, cmd *exec.Cmd) (func(), error) {
	acct, err := s.accounts.Get(context.Background(), login)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: acct.Credential()}
	cmd.Env = isolation.SetEnv(cmd.Env, "SHELL", acct.Shell)
	if p, ok := isolation.LookupEnv(cmd.Env, "PATH"); ok {
		cmd.Env = isolation.SetEnv(cmd.Env, "PATH", isolation.ProgramPath(p, cmd.Path, acct.Isolated))
	}
	if s.bwrap == "" {
		cmd.Env = s.accounts.NameEnv(cmd.Env, acct)
	}
	if err := s.agents.prepare(login); err != nil {
		return nil, err
	}
	if s.bwrap != "" {
		sb := isolation.Sandbox{
			Bwrap:    s.bwrap,
			Hide:     []string{s.cfg.DataDir, s.cfg.HostKeysDir},
			Writable: []string{cmd.Dir, filepath.Join(s.cfg.HomesDir(), login), s.agents.dirOf(login)},
			UID:      acct.UID,
			GID:      acct.GID,
			Passwd:   acct.Passwd,
			Group:    acct.Group,
		}
		if err := sb.Wrap(cmd); err != nil {
			return nil, err
		}
	}
	if err := isolation.Wrap(cmd, s.shim, s.limits(acct)); err != nil {
		return nil, err
	}
	if s.cgroups == nil {
		return nil, nil
	}
	dir, err := s.cgroups.Login(login, cgroup.Limits{Pids: int64(s.cfg.SessionPids), MemoryBytes: s.cfg.SessionMemory})
	if err != nil {
		return nil, err
	}
	// clone3 starts the program in the login's cgroup.
	cmd.SysProcAttr.UseCgroupFD = true
	cmd.SysProcAttr.CgroupFD = int(dir.Fd())
	return func() { dir.Close() }, nil
}
