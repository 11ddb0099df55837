package isolation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Allocator gives each login a stable uid of its own. *store.Store
// satisfies it.
type Allocator interface {
	// AccountUID returns login's uid, allocating one from [lo, hi] that
	// no login ever had when login has none.
	AccountUID(ctx context.Context, login string, lo, hi uint32) (uid uint32, created bool, err error)
}

// Options configure Accounts.
type Options struct {
	// Mode is what Detect found (and the operator allowed).
	Mode Mode
	// Range is where uids come from (isolated mode).
	Range Range
	// Allocator records uids (isolated mode).
	Allocator Allocator
	// Trees are the directories that hold one directory per login, such as
	// <data>/workspaces and <data>/homes. Each is created, owned by the
	// server, and made 0711 in isolated mode: a login can pass through it
	// to its own directory but not list the others.
	Trees []string
	// Homes is the one of Trees whose <login> directory is each login's
	// HOME, which its passwd entry names. Empty: entries name no HOME.
	Homes string
	// NamesDir is where each login gets a passwd and a group file of its
	// own in isolated mode (Account.Passwd, Account.Group): the host's
	// entries and the login's. It is created, the server's, 0711. Empty:
	// none, and a login's uid has no name.
	NamesDir string
	// NSSWrapper is libnss_wrapper.so (FindNSSWrapper), which NameEnv
	// preloads so that a login's programs read its own files. Empty: not
	// installed; then only a sandbox that binds the files over /etc/passwd
	// resolves the login's uid.
	NSSWrapper string
	// Logger receives the package's logs. Default: discard.
	Logger *slog.Logger

	// The host's user database and the shells an entry may name; tests
	// change them. Default /etc/passwd, /etc/group, loginShells.
	hostPasswd, hostGroup string
	shells                []string
}

// Account is what a login's programs run as.
type Account struct {
	Login    string
	UID, GID uint32
	// Isolated is false in shared mode: the ids are then the server's own.
	Isolated bool
	// Home is the login's HOME (Options.Homes/<login>), "" without Homes.
	Home string
	// Shell is the login's shell, the one its entry names: bash where it is
	// installed, else /bin/sh; in shared mode the server user's own, when
	// usable.
	Shell string
	// Passwd and Group are the login's own user database files (isolated
	// mode with Options.NamesDir), "" otherwise.
	Passwd, Group string
}

// Credential is what SysProcAttr.Credential gets: the login's uid and gid
// and no supplementary groups. Nil in shared mode.
func (a Account) Credential() *syscall.Credential {
	if !a.Isolated {
		return nil
	}
	return &syscall.Credential{Uid: a.UID, Gid: a.GID, Groups: []uint32{}}
}

// Accounts turns logins into accounts and gets each login's directories
// ready for it. It is safe for concurrent use.
type Accounts struct {
	opts Options
	log  *slog.Logger

	// mu guards ready.
	mu    sync.Mutex
	ready map[string]Account
}

// NewAccounts prepares opts.Trees.
func NewAccounts(opts Options) (*Accounts, error) {
	if opts.Mode != Isolated && opts.Mode != Shared {
		return nil, fmt.Errorf("accounts: unknown mode %q", opts.Mode)
	}
	if opts.Mode == Isolated && opts.Allocator == nil {
		return nil, errors.New("accounts: isolated mode needs an allocator")
	}
	if opts.hostPasswd == "" {
		opts.hostPasswd = "/etc/passwd"
	}
	if opts.hostGroup == "" {
		opts.hostGroup = "/etc/group"
	}
	if opts.shells == nil {
		opts.shells = loginShells
	}
	if opts.Mode == Isolated && opts.NamesDir != "" {
		if err := checkEntryText("HOME tree", opts.Homes); err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		if err := os.MkdirAll(opts.NamesDir, 0o711); err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		if err := os.Chmod(opts.NamesDir, 0o711); err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
	}
	a := &Accounts{opts: opts, log: opts.Logger, ready: map[string]Account{}}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a.log = a.log.With("component", "isolation")
	for _, t := range opts.Trees {
		if err := os.MkdirAll(t, 0o700); err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		if opts.Mode == Isolated {
			if err := os.Chmod(t, 0o711); err != nil {
				return nil, fmt.Errorf("accounts: %w", err)
			}
		}
	}
	return a, nil
}

// Mode is the mode accounts run in.
func (a *Accounts) Mode() Mode { return a.opts.Mode }

// Get returns login's account, allocating its uid on first use, and makes
// sure <tree>/<login> exists in every tree, as a directory (never a
// symlink), owned by the account, 0700. A tree left by an earlier run under
// another owner (shared mode, an older image) is handed over whole, without
// following any symlink in it. In isolated mode it writes the login's user
// database into NamesDir (writeNames), once per run.
func (a *Accounts) Get(ctx context.Context, login string) (Account, error) {
	if err := checkLogin(login); err != nil {
		return Account{}, err
	}
	a.mu.Lock()
	acct, ok := a.ready[login]
	a.mu.Unlock()
	if ok {
		return acct, nil
	}
	acct = Account{Login: login, UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), Shell: pickShell(a.opts.shells)}
	if a.opts.Homes != "" {
		acct.Home = filepath.Join(a.opts.Homes, login)
	}
	if a.opts.Mode == Shared {
		// The server's own entry serves: its shell, when it has a usable one.
		if sh := hostShell(a.opts.hostPasswd, acct.UID); sh != "" {
			acct.Shell = sh
		}
	}
	if a.opts.Mode == Isolated {
		uid, created, err := a.opts.Allocator.AccountUID(ctx, login, a.opts.Range.Lo, a.opts.Range.Hi)
		if err != nil {
			return Account{}, fmt.Errorf("account for %s: %w", login, err)
		}
		acct.UID, acct.GID, acct.Isolated = uid, uid, true
		switch {
		case created:
			a.log.Info("uid allocated", "login", login, "uid", uid)
		case !a.opts.Range.Contains(uid):
			a.log.Warn("login keeps its uid from an earlier --uid-range", "login", login, "uid", uid, "range", a.opts.Range.String())
		}
	}
	for _, t := range a.opts.Trees {
		if err := a.prepare(t, acct); err != nil {
			return Account{}, fmt.Errorf("account for %s: %w", login, err)
		}
	}
	if acct.Isolated && a.opts.NamesDir != "" {
		if err := a.writeNames(&acct); err != nil {
			return Account{}, fmt.Errorf("account for %s: %w", login, err)
		}
	}
	a.mu.Lock()
	a.ready[login] = acct
	a.mu.Unlock()
	return acct, nil
}

// prepare makes tree/<login> the account's.
func (a *Accounts) prepare(tree string, acct Account) error {
	top, err := os.OpenRoot(tree)
	if err != nil {
		return err
	}
	defer top.Close()
	name := acct.Login
	if err := top.Mkdir(name, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := top.Lstat(name)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory (%s)", filepath.Join(tree, name), fi.Mode().Type())
	}
	if fi.Mode().Perm() != 0o700 {
		if err := top.Chmod(name, 0o700); err != nil {
			return err
		}
	}
	if !acct.Isolated {
		return nil
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: no owner information", filepath.Join(tree, name))
	}
	if st.Uid != acct.UID || st.Gid != acct.GID {
		n, err := chownTree(top, name, acct.UID, acct.GID)
		if err != nil {
			return fmt.Errorf("hand %s to uid %d: %w", filepath.Join(tree, name), acct.UID, err)
		}
		a.log.Info("handed a login's directory to its uid", "dir", filepath.Join(tree, name), "uid", acct.UID, "from_uid", st.Uid, "entries", n)
	}
	return nil
}

// chownTree hands dir (inside top) and everything under it to uid:gid. It
// walks through an os.Root opened on dir and uses Lchown, so a symlink is
// re-owned itself and never followed, in or out of the tree. A regular
// file with other hard links is first replaced by a copy of its own:
// re-owning the inode would hand over its other names too, such as the
// server's database linked in by a session of an earlier shared-mode run.
// dir itself is re-owned last, so that a handover cut short (an error, a
// crash) leaves dir under its old owner and the next Get starts it again.
func chownTree(top *os.Root, dir string, uid, gid uint32) (int, error) {
	r, err := top.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n := 0
	err = fs.WalkDir(r.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if d.Type().IsRegular() {
			if err := copyIfLinked(r, p); err != nil {
				return fmt.Errorf("copy hard-linked %s: %w", p, err)
			}
		}
		// An entry gone since its directory was read (a concurrent Get's
		// copy renamed into place) has nothing left to hand over.
		if err := r.Lchown(p, int(uid), int(gid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	return n + 1, r.Lchown(".", int(uid), int(gid))
}

// copyIfLinked replaces p, a regular file inside r, by a copy of its own (same
// contents, permissions and times) when the file has other hard links, and
// leaves it alone otherwise.
func copyIfLinked(r *os.Root, p string) error {
	fi, err := r.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("no link count")
	}
	if !fi.Mode().IsRegular() || st.Nlink <= 1 {
		return nil
	}
	src, err := r.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer src.Close()
	// A fresh name next to p, never one the tree already holds.
	var tmp string
	var dst *os.File
	for i := 0; ; i++ {
		tmp = path.Join(path.Dir(p), fmt.Sprintf(".warren-handover-%d", i))
		dst, err = r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Chmod(fi.Mode().Perm())
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = r.Chtimes(tmp, time.Unix(st.Atim.Unix()), fi.ModTime())
	}
	if err == nil {
		err = r.Rename(tmp, p)
	}
	if err != nil {
		_ = r.Remove(tmp) // the copy is ours, half-made; the error is what matters
		return err
	}
	return nil
}

// checkLogin refuses a login that cannot be a directory name.
func checkLogin(login string) error {
	if login == "" || login == "." || login == ".." || filepath.Base(login) != login || len(login) > 64 {
		return fmt.Errorf("account: bad login %q", login)
	}
	for i := 0; i < len(login); i++ {
		// filepath.Base keeps "/" as it is: refuse every slash here.
		if login[i] < 0x21 || login[i] == 0x7f || login[i] == '/' {
			return fmt.Errorf("account: bad login %q", login)
		}
	}
	return nil
}
