package workspace

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// clonePrefix starts the hidden temporary directory a clone is made in;
// Normalize never accepts such a name, so List never shows one.
const clonePrefix = ".clone-"

// Clone runs `git clone --progress -- url` into a hidden temporary
// directory inside the login's root and renames it to name (case-folded,
// as Normalize gives it) once git has succeeded. Git's
// stderr goes to progress (which may be nil), with the temporary
// directory's path shown as the workspace's name; the last lines of it are
// in the returned error. On failure, on Options.CloneTimeout or
// Options.CloneStall, or when ctx is cancelled, git's whole process group
// is killed and the temporary directory removed: there is never a
// half-made workspace. ErrExists if name is taken (checked before and,
// atomically, at the rename); ErrInvalidURL if ValidateCloneURL refuses
// url. A cancelled clone returns an error wrapping ctx.Err(); one that ran
// out of time, ErrCloneTimeout or ErrCloneStalled. Errors the user can act
// on have a UserMessage.
//
// When git runs as the server (no Credential), a file:// URL may not reach
// into another login's workspaces.
func (m *Manager) Clone(ctx context.Context, login, name, rawURL string, progress io.Writer) error {
	if err := ValidateCloneURL(rawURL); err != nil {
		return fmt.Errorf("clone: %w", err)
	}
	if err := m.checkFileURL(login, rawURL); err != nil {
		return fmt.Errorf("clone: %w", err)
	}
	_, n, r, err := m.open(login, name, true)
	if err != nil {
		return fmt.Errorf("clone: %w", err)
	}
	defer r.Close()
	if _, err := r.Lstat(n); err == nil {
		return fmt.Errorf("clone %s: %w", n, existsError(n))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("clone %s: %w", n, err)
	}
	tmp, err := m.tempDir(r, login)
	if err != nil {
		return fmt.Errorf("clone %s: %w", n, err)
	}
	defer func() {
		if tmp == "" {
			return
		}
		if err := r.RemoveAll(tmp); err != nil {
			m.log.Warn("remove clone temp dir", "login", login, "dir", tmp, "err", err)
		}
	}()

	ctx, stop := m.cloneDeadlines(ctx)
	defer stop.end()
	tmpDir := filepath.Join(m.root, login, tmp)
	tail := &tailWriter{max: 4096}
	var out io.Writer = tail
	if progress != nil {
		out = io.MultiWriter(tail, progress)
	}
	// The path git names is the server's; the user knows the workspace.
	stderr := &replaceWriter{w: stop.watch(out), old: []byte(tmpDir), new: []byte(n)}
	cmd := m.command(ctx, login, nil, stderr, "clone", "--progress", "--", rawURL, tmpDir)
	// An empty directory: a relative "host:path" never names a local repo.
	cmd.Dir = tmpDir
	start := time.Now()
	err = cmd.Start()
	if err == nil {
		err = cmd.Wait()
		// Anything git left running in its group goes too.
		if kerr := killGroup(cmd.Process.Pid); kerr != nil {
			m.log.Warn("kill git process group", "login", login, "err", kerr)
		}
	}
	stderr.flush()
	if err != nil {
		took := time.Since(start)
		if ctx.Err() != nil {
			cause := context.Cause(ctx)
			switch {
			case errors.Is(cause, ErrCloneStalled):
				m.log.Info("clone stalled", "login", login, "workspace", n, "url", rawURL, "stall", m.cloneStall, "duration", took)
				return fmt.Errorf("clone %s: %w", n, &CloneError{URL: rawURL, Err: ErrCloneStalled, After: m.cloneStall})
			case errors.Is(cause, ErrCloneTimeout):
				m.log.Info("clone timed out", "login", login, "workspace", n, "url", rawURL, "timeout", m.cloneTimeout, "duration", took)
				return fmt.Errorf("clone %s: %w", n, &CloneError{URL: rawURL, Err: ErrCloneTimeout, After: m.cloneTimeout})
			}
			m.log.Info("clone cancelled", "login", login, "workspace", n, "duration", took)
			return fmt.Errorf("clone %s: %w", n, ctx.Err())
		}
		m.log.Info("clone failed", "login", login, "workspace", n, "err", err, "duration", took)
		return fmt.Errorf("clone %s: %w", n, &CloneError{URL: rawURL, Err: err, Git: tail.lastLines(3)})
	}
	if err := renameNoReplace(r, tmp, n); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("clone %s: %w", n, existsError(n))
		}
		return fmt.Errorf("clone %s: %w", n, err)
	}
	tmp = ""
	m.log.Info("workspace cloned", "login", login, "workspace", n, "duration", time.Since(start))
	return nil
}

// Reasons a clone ran out of time.
var (
	// ErrCloneTimeout: the clone took longer than Options.CloneTimeout.
	ErrCloneTimeout = errors.New("clone timed out")
	// ErrCloneStalled: git wrote nothing for Options.CloneStall.
	ErrCloneStalled = errors.New("clone stalled")
)

// CloneError is a clone that git could not finish, or that ran out of
// time. Its UserMessage says so in one line, with git's own reason.
type CloneError struct {
	URL   string
	Err   error         // git's exit status, ErrCloneTimeout or ErrCloneStalled
	Git   string        // git's last lines ("fatal: …"), for a failure
	After time.Duration // the limit that ran out, for ErrCloneTimeout and ErrCloneStalled
}

func (e *CloneError) Error() string {
	if e.Git != "" {
		return fmt.Sprintf("%v: %s", e.Err, e.Git)
	}
	return e.Err.Error()
}

func (e *CloneError) Unwrap() error { return e.Err }

// UserMessage is one line for the user: what happened to the clone of URL.
func (e *CloneError) UserMessage() string {
	u := clipURL(e.URL)
	switch {
	case errors.Is(e.Err, ErrCloneStalled):
		return fmt.Sprintf("clone of %s stalled: no progress from git for %s; nothing was kept", u, shortDuration(e.After))
	case errors.Is(e.Err, ErrCloneTimeout):
		return fmt.Sprintf("clone of %s timed out after %s; nothing was kept", u, shortDuration(e.After))
	case e.Git != "":
		return fmt.Sprintf("could not clone %s: %s", u, e.Git)
	}
	return fmt.Sprintf("could not clone %s: git failed (%v)", u, e.Err)
}

// clipURL shortens a (validated, printable) URL for a one-line message.
func clipURL(u string) string {
	if len(u) > 100 {
		return u[:100] + "…"
	}
	return u
}

// shortDuration is d as "10m", "1m30s" or "2s": without Duration.String's
// trailing zero units.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// cloneDeadlines derives the context a clone runs under: ctx with
// Options.CloneTimeout, and cancelled once the watched writer has seen
// nothing for Options.CloneStall.
func (m *Manager) cloneDeadlines(ctx context.Context) (context.Context, *stallWatch) {
	w := &stallWatch{stall: m.cloneStall}
	cancelTimeout := context.CancelFunc(func() {})
	if m.cloneTimeout > 0 {
		ctx, cancelTimeout = context.WithTimeoutCause(ctx, m.cloneTimeout, ErrCloneTimeout)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	w.cancel = func() { cancel(ErrCloneStalled) }
	w.done = func() {
		cancel(nil)
		cancelTimeout()
	}
	if w.stall > 0 {
		w.timer = time.AfterFunc(w.stall, w.cancel)
	}
	return ctx, w
}

// stallWatch cancels a clone whose git has written nothing for stall.
type stallWatch struct {
	stall  time.Duration
	timer  *time.Timer // nil when stall is zero
	cancel func()
	done   func()
}

// watch returns w, every Write to which restarts the stall timer.
func (s *stallWatch) watch(w io.Writer) io.Writer {
	if s.timer == nil {
		return w
	}
	return writerFunc(func(p []byte) (int, error) {
		s.timer.Reset(s.stall)
		return w.Write(p)
	})
}

// end stops the timer and releases the contexts.
func (s *stallWatch) end() {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.done()
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// replaceWriter writes to w what is written to it with every old replaced
// by new, also across writes: a tail that may start an old is held back
// until the next write or flush. It is safe for concurrent use.
type replaceWriter struct {
	w        io.Writer
	old, new []byte

	mu sync.Mutex
	// mu guards the following.
	held []byte
}

func (r *replaceWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	buf := bytes.ReplaceAll(append(r.held, p...), r.old, r.new)
	keep := 0
	for k := min(len(r.old)-1, len(buf)); k > 0; k-- {
		if bytes.HasSuffix(buf, r.old[:k]) {
			keep = k
			break
		}
	}
	r.held = append(r.held[:0], buf[len(buf)-keep:]...)
	if out := buf[:len(buf)-keep]; len(out) > 0 {
		if _, err := r.w.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// flush writes what is held back.
func (r *replaceWriter) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.held) > 0 {
		_, _ = r.w.Write(r.held)
		r.held = r.held[:0]
	}
}

// tempDir makes a fresh hidden directory for a clone in r.
func (m *Manager) tempDir(r *os.Root, login string) (string, error) {
	for range 5 {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		name := clonePrefix + hex.EncodeToString(b[:])
		err := r.Mkdir(name, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := m.chown(r, login, name); err != nil {
			r.Remove(name)
			return "", err
		}
		return name, nil
	}
	return "", errors.New("make clone temp dir: too many collisions")
}

// checkFileURL refuses, when git runs as the server, a file:// URL whose
// path (symlinks resolved) lies inside Root but outside the login's own
// root: the server can read every login's workspaces, the login must not.
// With a Credential the kernel enforces this instead.
func (m *Manager) checkFileURL(login, rawURL string) error {
	if !strings.HasPrefix(rawURL, "file://") {
		return nil
	}
	if c, err := m.cred(login); err != nil || c != nil {
		return err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return &userError{err: ErrInvalidURL, msg: fmt.Sprintf("%v %s: %v", ErrInvalidURL, quote(rawURL), err)}
	}
	p := filepath.Clean(u.Path)
	if resolved, err := filepath.EvalSymlinks(p); err == nil {
		p = resolved
	}
	if within(p, m.realRoot) && !within(p, filepath.Join(m.realRoot, login)) ||
		within(p, m.root) && !within(p, filepath.Join(m.root, login)) {
		return &userError{err: ErrInvalidURL, msg: fmt.Sprintf("%v %s: it reaches another login's workspaces", ErrInvalidURL, quote(rawURL))}
	}
	return nil
}

// within reports whether path p is dir or lies below it (both clean).
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
