package workspace

import (
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
	"time"
)

// clonePrefix starts the hidden temporary directory a clone is made in;
// Normalize never accepts such a name, so List never shows one.
const clonePrefix = ".clone-"

// Clone runs `git clone --progress -- url` into a hidden temporary
// directory inside the login's root and renames it to name once git has
// succeeded. Git's stderr goes to progress (which may be nil); the last
// lines of it are in the returned error. On failure or when ctx is
// cancelled git's whole process group is killed and the temporary
// directory removed: there is never a half-made workspace. ErrExists if
// name is taken (checked before and, atomically, at the rename);
// ErrInvalidURL if ValidateCloneURL refuses url. A cancelled clone returns
// an error wrapping ctx.Err().
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
		return fmt.Errorf("clone %s: %w", n, ErrExists)
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

	tail := &tailWriter{max: 4096}
	var stderr io.Writer = tail
	if progress != nil {
		stderr = io.MultiWriter(tail, progress)
	}
	tmpDir := filepath.Join(m.root, login, tmp)
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
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			m.log.Info("clone cancelled", "login", login, "workspace", n, "duration", time.Since(start))
			return fmt.Errorf("clone %s: %w", n, cerr)
		}
		m.log.Info("clone failed", "login", login, "workspace", n, "err", err, "duration", time.Since(start))
		if last := tail.lastLines(3); last != "" {
			return fmt.Errorf("clone %s: %w: %s", n, err, last)
		}
		return fmt.Errorf("clone %s: %w", n, err)
	}
	if err := renameNoReplace(r, tmp, n); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("clone %s: %w", n, ErrExists)
		}
		return fmt.Errorf("clone %s: %w", n, err)
	}
	tmp = ""
	m.log.Info("workspace cloned", "login", login, "workspace", n, "duration", time.Since(start))
	return nil
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
		return fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	p := filepath.Clean(u.Path)
	if resolved, err := filepath.EvalSymlinks(p); err == nil {
		p = resolved
	}
	if within(p, m.realRoot) && !within(p, filepath.Join(m.realRoot, login)) ||
		within(p, m.root) && !within(p, filepath.Join(m.root, login)) {
		return fmt.Errorf("%w %s: reaches another login's workspaces", ErrInvalidURL, quote(rawURL))
	}
	return nil
}

// within reports whether path p is dir or lies below it (both clean).
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
