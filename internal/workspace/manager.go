package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Options configures a Manager.
type Options struct {
	// Root is <data>/workspaces. Each login gets Root/<login> (0700) and
	// each workspace Root/<login>/<name> (0700). Created if missing.
	Root string
	// Git is the git binary; empty means "git" looked up in the server's PATH.
	Git string
	// Env is extra environment for git (e.g. SSH_AUTH_SOCK=…), appended
	// last so it wins. The rest of git's environment is built from scratch:
	// PATH, HOME, LANG=C, GIT_TERMINAL_PROMPT=0 and a protocol allowlist.
	Env []string
	// HomeDir gives the HOME git runs with for a login. Nil means git gets
	// no HOME.
	HomeDir func(login string) string
	// Credential, when set and returning non-nil, makes git run as the
	// login's own uid/gid, and the directories this package creates are
	// handed to that uid/gid. It is asked before anything touches the
	// login's tree, so it may prepare that tree; an error stops the
	// operation. Nil means everything runs as the server.
	Credential func(login string) (*syscall.Credential, error)
	// Wrap, when set, rewrites each git command of login before it starts,
	// keeping its pid (e.g. through warren-session-exec, for the umask and
	// resource limits sessions get). An error stops the command.
	Wrap func(login string, cmd *exec.Cmd) error
	// Activity, when set, tells when a workspace last changed as far as
	// the caller knows (its session's last output or input); List's git
	// state for it is then checked again soon after (see statusCache).
	// Nil: only the age of the last check counts.
	Activity func(login, name string) time.Time
	// StatusTimeout bounds the `git status` List runs in each repository
	// to learn Dirty. Zero means 2s; negative means List never runs git
	// (Branch then comes from .git/HEAD and Dirty is always false).
	StatusTimeout time.Duration
	// CloneTimeout bounds a whole clone; zero means no bound but the
	// caller's context.
	CloneTimeout time.Duration
	// CloneStall gives up a clone once git has written nothing for this
	// long (a server that accepts and never answers); zero never does.
	CloneStall time.Duration
	// Logger receives debug and warning records; nil discards them.
	Logger *slog.Logger
}

// Manager creates, lists, clones and deletes workspaces. Every filesystem
// operation on a login's tree goes through an os.Root opened on
// Root/<login>, so no symlink inside it leads outside. It is safe for
// concurrent use; it holds no open files between calls. The first List
// starts the background checks of git state, which Close stops.
type Manager struct {
	gitState *statusCache // git state of listed repositories

	root          string // absolute
	realRoot      string // root with symlinks resolved
	git           string
	env           []string
	homeDir       func(string) string
	credential    func(string) (*syscall.Credential, error)
	wrap          func(string, *exec.Cmd) error
	statusTimeout time.Duration
	cloneTimeout  time.Duration
	cloneStall    time.Duration
	log           *slog.Logger
}

// defaultPath is the PATH git runs with unless Options.Env sets one.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// New returns a Manager for opts, creating opts.Root (0700) if missing.
func New(opts Options) (*Manager, error) {
	if opts.Root == "" {
		return nil, errors.New("new workspace manager: empty root")
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("new workspace manager: %w", err)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("new workspace manager: %w", err)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("new workspace manager: %w", err)
	}
	m := &Manager{
		root:          root,
		realRoot:      realRoot,
		git:           opts.Git,
		env:           append([]string(nil), opts.Env...),
		homeDir:       opts.HomeDir,
		credential:    opts.Credential,
		wrap:          opts.Wrap,
		statusTimeout: opts.StatusTimeout,
		cloneTimeout:  opts.CloneTimeout,
		cloneStall:    opts.CloneStall,
		log:           opts.Logger,
	}
	if m.git == "" {
		m.git = "git"
	}
	if m.statusTimeout == 0 {
		m.statusTimeout = 2 * time.Second
	}
	if m.log == nil {
		m.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	m.log = m.log.With("component", "workspace")
	m.gitState = newStatusCache(m, opts.Activity)
	return m, nil
}

// Close stops the background checks of git state, killing any git they
// run, and waits for them. List still works afterwards, with the last
// state known and no git.
func (m *Manager) Close() {
	m.gitState.close()
}

// Dir returns the absolute path of a login's workspace after validating
// both. It does not touch the filesystem.
func (m *Manager) Dir(login, name string) (string, error) {
	if err := checkLogin(login); err != nil {
		return "", fmt.Errorf("workspace dir: %w", err)
	}
	n, err := Normalize(name)
	if err != nil {
		return "", fmt.Errorf("workspace dir: %w", err)
	}
	return filepath.Join(m.root, login, n), nil
}

// Create makes a new, empty workspace (0700) and returns its path.
// ErrExists if anything, even a dangling symlink, already has the name.
func (m *Manager) Create(ctx context.Context, login, name string) (string, error) {
	dir, n, r, err := m.open(login, name, true)
	if err != nil {
		return "", fmt.Errorf("create workspace: %w", err)
	}
	defer r.Close()
	if err := r.Mkdir(n, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("create workspace %s: %w", n, existsError(n))
		}
		return "", fmt.Errorf("create workspace %s: %w", n, err)
	}
	if err := m.chown(r, login, n); err != nil {
		return "", fmt.Errorf("create workspace %s: %w", n, err)
	}
	m.log.Debug("workspace created", "login", login, "workspace", n)
	return dir, nil
}

// Ensure returns the path of a login's workspace, creating it (0700) if
// missing. A symlink or a file at the name is refused with ErrNotWorkspace,
// never followed.
func (m *Manager) Ensure(ctx context.Context, login, name string) (string, error) {
	dir, n, r, err := m.open(login, name, true)
	if err != nil {
		return "", fmt.Errorf("ensure workspace: %w", err)
	}
	defer r.Close()
	err = r.Mkdir(n, 0o700)
	switch {
	case err == nil:
		if err := m.chown(r, login, n); err != nil {
			return "", fmt.Errorf("ensure workspace %s: %w", n, err)
		}
		m.log.Debug("workspace created", "login", login, "workspace", n)
		return dir, nil
	case !errors.Is(err, fs.ErrExist):
		return "", fmt.Errorf("ensure workspace %s: %w", n, err)
	}
	fi, err := r.Lstat(n)
	if err != nil {
		return "", fmt.Errorf("ensure workspace %s: %w", n, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("ensure workspace %s: %w", n, &userError{err: ErrNotWorkspace,
			msg: n + " is not a workspace: a file or link has its name; remove it, or choose another name"})
	}
	return dir, nil
}

// Delete removes a workspace and everything in it without following any
// symlink: a link inside the tree is removed, not its target, and a
// symlink planted at the name itself is removed as a link. ErrNotFound if
// nothing has the name.
func (m *Manager) Delete(ctx context.Context, login, name string) error {
	_, n, r, err := m.open(login, name, false)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete workspace %s: %w", quote(name), ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete workspace: %w", err)
	}
	defer r.Close()
	fi, err := r.Lstat(n)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete workspace %s: %w", n, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete workspace %s: %w", n, err)
	}
	if !fi.IsDir() {
		// A symlink or a stray file: remove the entry itself, nothing else.
		if err := r.Remove(n); err != nil {
			return fmt.Errorf("delete workspace %s: %w", n, err)
		}
		m.log.Warn("removed a non-directory at a workspace name", "login", login, "workspace", n, "mode", fi.Mode().String())
		return nil
	}
	// os.Root.RemoveAll walks with openat and O_NOFOLLOW: a directory
	// swapped for a symlink mid-walk is unlinked, not entered.
	if err := r.RemoveAll(n); err != nil {
		return fmt.Errorf("delete workspace %s: %w", n, err)
	}
	m.gitState.forget(login, n)
	m.log.Debug("workspace deleted", "login", login, "workspace", n)
	return nil
}

// open validates login and name and opens the login's root, creating it
// when create is set. It returns the workspace's absolute path, the
// normalized name and the root, which the caller closes.
func (m *Manager) open(login, name string, create bool) (dir, n string, r *os.Root, err error) {
	if dir, err = m.Dir(login, name); err != nil {
		return "", "", nil, err
	}
	n = filepath.Base(dir)
	if r, err = m.loginRoot(login, create); err != nil {
		return "", "", nil, err
	}
	return dir, n, r, nil
}

// loginRoot opens Root/<login> as an os.Root. The login's root must be a
// plain directory: a symlink there (even one pointing at another login
// inside Root) is refused, and a swap between the check and the open is
// caught by comparing the opened directory with the one checked.
// fs.ErrNotExist if it is missing and create is false.
func (m *Manager) loginRoot(login string, create bool) (*os.Root, error) {
	if err := checkLogin(login); err != nil {
		return nil, err
	}
	if _, err := m.cred(login); err != nil {
		return nil, err
	}
	top, err := os.OpenRoot(m.root)
	if err != nil {
		return nil, err
	}
	defer top.Close()
	if create {
		err := top.Mkdir(login, 0o700)
		switch {
		case err == nil:
			if err := m.chown(top, login, login); err != nil {
				return nil, err
			}
		case !errors.Is(err, fs.ErrExist):
			return nil, err
		}
	}
	want, err := top.Lstat(login)
	if err != nil {
		return nil, err
	}
	if !want.IsDir() {
		return nil, fmt.Errorf("login root %s: %w", login, ErrNotWorkspace)
	}
	r, err := top.OpenRoot(login)
	if err != nil {
		return nil, err
	}
	got, err := r.Stat(".")
	if err != nil {
		r.Close()
		return nil, err
	}
	if !os.SameFile(want, got) {
		r.Close()
		return nil, fmt.Errorf("login root %s changed while opening: %w", login, ErrNotWorkspace)
	}
	return r, nil
}

// cred returns the credential git runs with for login, or nil.
func (m *Manager) cred(login string) (*syscall.Credential, error) {
	if m.credential == nil {
		return nil, nil
	}
	c, err := m.credential(login)
	if err != nil {
		return nil, fmt.Errorf("credential of %s: %w", login, err)
	}
	return c, nil
}

// chown hands a directory this package just created to the login's uid/gid
// when git runs as the login. Lchown never follows a link.
func (m *Manager) chown(r *os.Root, login, name string) error {
	c, err := m.cred(login)
	if err != nil || c == nil {
		return err
	}
	return r.Lchown(name, int(c.Uid), int(c.Gid))
}
