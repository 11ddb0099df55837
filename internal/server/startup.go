package server

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/warren-ssh/warren/hostkeys"
	"github.com/warren-ssh/warren/internal/auth"
	"github.com/warren-ssh/warren/internal/config"
	"github.com/warren-ssh/warren/internal/isolation"
)

// legacyHostKeysDir is where host keys were kept when --host-keys was not
// given, before they moved under the data dir: ./hostkeys, which in a clone
// of warren is the source folder of package hostkeys.
const legacyHostKeysDir = "hostkeys"

// preflight checks everything start-up can check without writing to the
// disk, so that a refused start leaves nothing behind: the files that must
// be readable (the allowlist parsed), the host keys already there, the uid
// range and isolation mode, the local user of laptop mode, the session
// command. It binds the listeners last. It updates s.cfg with what it
// resolved (the session command's path, the host keys in force) and
// returns the authenticator's options, without the store.
func (s *Server) preflight(hostKeysGiven bool) (auth.Options, error) {
	cfg := s.cfg
	if cfg.AllowFile != "" {
		if _, err := auth.LoadAllowlistFile(cfg.AllowFile); err != nil {
			return auth.Options{}, fmt.Errorf("--allow-file: %w", err)
		}
	}
	if cfg.KeysFile != "" {
		if err := auth.CheckKeysFile(cfg.KeysFile); err != nil {
			return auth.Options{}, fmt.Errorf("--keys-file: %w", err)
		}
	}
	if err := s.checkHostKeys(hostKeysGiven); err != nil {
		return auth.Options{}, err
	}
	_, report, err := checkIsolation(cfg)
	if err != nil {
		return auth.Options{}, err
	}
	authOpts, err := s.authOptions()
	if err != nil {
		return auth.Options{}, err
	}
	s.resolveCommand(report.Mode == isolation.Isolated)
	if s.sshLn, err = net.Listen("tcp", cfg.Listen); err != nil {
		return auth.Options{}, fmt.Errorf("--listen: %w", err)
	}
	if cfg.HTTP != "" {
		if s.httpLn, err = listenHTTP(cfg.HTTP); err != nil {
			return auth.Options{}, fmt.Errorf("--http: %w", err)
		}
	}
	return authOpts, nil
}

// checkIsolation decides, without touching the disk, the mode sessions
// run in: isolated when the server can switch to the uids of --uid-range,
// which must hold no local account; otherwise shared, refused unless
// --allow-shared-uid is given or warren serves only the local user (no
// allowlist: laptop mode). With --sandbox bwrap, bwrap must be installed.
func checkIsolation(cfg config.Config) (isolation.Range, isolation.Report, error) {
	rng, err := isolation.ParseRange(cfg.UIDRange)
	if err != nil {
		return rng, isolation.Report{}, fmt.Errorf("--uid-range: %w", err)
	}
	report := isolation.Detect(rng)
	if report.Mode == isolation.Shared && !cfg.AllowSharedUID && !laptopMode(cfg) {
		return rng, report, fmt.Errorf("%w (%s): run warren as root or with %s (compose.yaml does), or pass --allow-shared-uid for a single-user setup, where every session can read every other's files",
			errSharedRefused, report.Reason, strings.Join(isolation.RequiredCapabilities(), ", "))
	}
	if report.Mode == isolation.Isolated {
		if err := isolation.CheckAccounts(rng); err != nil {
			return rng, report, fmt.Errorf("--uid-range: %w", err)
		}
	}
	if cfg.Sandbox == "bwrap" {
		if _, err := lookBwrap(); err != nil {
			return rng, report, err
		}
	}
	return rng, report, nil
}

// laptopMode reports whether no allowlist is configured: warren then lets
// in the local user only.
func laptopMode(cfg config.Config) bool { return len(cfg.Allow) == 0 && cfg.AllowFile == "" }

// lookBwrap finds bubblewrap for --sandbox bwrap.
func lookBwrap() (string, error) {
	p, err := exec.LookPath("bwrap")
	if err != nil {
		return "", fmt.Errorf("--sandbox bwrap: %w (Debian package bubblewrap)", err)
	}
	return p, nil
}

// checkHostKeys checks the host keys already in --host-keys, if any, so
// that a bad key stops start-up before anything is made. When --host-keys
// was not given, its default <data>/hostkeys holds no key and ./hostkeys,
// the default of older warrens, does, those keys are served from where
// they are, with a warning saying how to move them: generating new ones
// would show every client a changed host key, and moving secrets behind
// the operator's back (maybe across file systems, maybe out of a directory
// a backup or a second checkout expects them in) is theirs to decide.
// Nothing is ever written into ./hostkeys.
func (s *Server) checkHostKeys(given bool) error {
	dir := s.cfg.HostKeysDir
	if !given && !hostkeys.HasKeys(dir) {
		if old, err := filepath.Abs(legacyHostKeysDir); err == nil && old != dir && hostkeys.HasKeys(old) {
			keys, err := hostkeys.Load(old)
			if err != nil {
				return fmt.Errorf("host keys in %s, the old default of --host-keys: %w", old, err)
			}
			s.logger.Warn(fmt.Sprintf("host keys found in %s, the old default of --host-keys: serving them, so that clients see the same host key; "+
				"warren now keeps them under --data, out of the working directory (a source tree, often): stop warren and move them with "+
				"`mkdir -p -m 0700 %s && mv %s %s/`, or pass --host-keys %s to keep them there",
				old, dir, filepath.Join(old, "ssh_host_*"), dir, old), "dir", old, "move_to", dir)
			s.cfg.HostKeysDir, s.hostKeys = old, keys
			return nil
		}
	}
	if _, err := hostkeys.Load(dir); err != nil {
		return fmt.Errorf("--host-keys: %w", err)
	}
	return nil
}

// resolveCommand looks --command's program up in the server's PATH once,
// so that every session runs the same absolute path, whatever its working
// directory. A program that is not found does not stop start-up (it may
// be installed later; each session start looks again), but is said in one
// warning with what to do.
func (s *Server) resolveCommand(isolated bool) {
	prog := s.cfg.Command[0]
	path, err := exec.LookPath(prog)
	if err == nil {
		path, err = filepath.Abs(path)
	}
	if err != nil {
		todo := "install it, or pass --command with a program on the server's PATH or its full path"
		if isClaude(s.cfg.Command) {
			todo = "install the Claude CLI with `npm install -g @anthropic-ai/claude-code`, or pass --command with the program sessions should run"
		}
		where := "on the server's PATH"
		if strings.ContainsRune(prog, filepath.Separator) {
			where = "there"
		}
		s.logger.Warn(fmt.Sprintf("--command: %s is not %s, so no session can start: %s; each session start looks for it again, no restart needed", prog, where, todo),
			"program", prog, "err", err.Error())
		return
	}
	cmd := slices.Clone(s.cfg.Command)
	cmd[0] = path
	s.cfg.Command = cmd
	s.logger.Info("sessions run --command", "program", path)
	if isolated {
		if why := isolation.CheckReachable(path, true); why != nil {
			s.logger.Warn("--command: sessions run as their login's own uid, which cannot reach the program: install it where every user can run it",
				"program", path, "why", why.Error())
		}
	}
}

// logLocalUser says, once, whom laptop mode lets in and, when the local
// user has no public key yet, what to do about it.
func (s *Server) logLocalUser(login, keyDir string) {
	keys, _ := s.auth.Keys(login)
	if keyDir == "" { // no HOME: no key directory to watch either
		keyDir = "~/.ssh"
	}
	if len(keys) == 0 {
		s.logger.Warn(fmt.Sprintf("no allowlist given: letting in the local user, who has no public key in %s yet, so nobody can log in: "+
			"make one with `ssh-keygen -t ed25519`, then connect with `%s`; the new key is picked up without a restart",
			keyDir, s.connectHint(login)), "login", login, "keys_dir", keyDir, "keys", 0)
		return
	}
	s.logger.Info("no allowlist given: letting in the local user with their own public keys, GitHub not consulted",
		"login", login, "keys_dir", keyDir, "keys", len(keys), "connect", s.connectHint(login))
}

// connectHint is the ssh command that reaches this server as login from
// the same machine.
func (s *Server) connectHint(login string) string {
	host, port := "localhost", ""
	if s.sshLn != nil {
		if a, ok := s.sshLn.Addr().(*net.TCPAddr); ok {
			port = fmt.Sprint(a.Port)
			if !a.IP.IsUnspecified() && !a.IP.IsLoopback() {
				host = a.IP.String()
			}
		}
	}
	return fmt.Sprintf("ssh -p %s %s@%s", port, login, host)
}
