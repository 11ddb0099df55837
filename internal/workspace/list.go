package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Info describes one workspace.
type Info struct {
	Name     string    // normalized name
	Dir      string    // absolute path
	Modified time.Time // the directory's own modification time
	Repo     bool      // it has a .git directory or gitfile
	Branch   string    // current branch; "" when detached, unborn-unknown or not a repo
	Dirty    bool      // git status reports changes or untracked files
}

// maxStatusOutput caps what List reads of one `git status`.
const maxStatusOutput = 64 << 10

// List returns a login's workspaces ordered by name: plain directories
// whose names Normalize leaves unchanged. Symlinks, files, hidden entries
// (clones in progress) and names that do not validate are skipped. A
// login with no root yet has no workspaces. Repo and Branch come from
// reading .git through the login's root, at every call; Dirty (and Branch,
// for gitfile repositories) from the last `git status --porcelain=v2
// --branch` the background checks ran (see statusCache), so List never
// waits for git but for a repository it lists for the first time, and
// then at most statusMissWait. Until a first check has ended, or after a
// git failure, Dirty is false.
func (m *Manager) List(ctx context.Context, login string) ([]Info, error) {
	r, err := m.loginRoot(login, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer r.Close()
	d, err := r.Open(".")
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	var out []Info
	for _, e := range entries {
		if !e.IsDir() { // d_type: a symlink is never IsDir
			continue
		}
		if n, err := Normalize(e.Name()); err != nil || n != e.Name() {
			continue
		}
		fi, err := e.Info() // lstat
		if err != nil || !fi.IsDir() {
			continue
		}
		out = append(out, Info{Name: e.Name(), Dir: filepath.Join(m.root, login, e.Name()), Modified: fi.ModTime()})
	}
	fromHead := make([]bool, len(out))
	for i := range out {
		fromHead[i] = repoInfo(r, &out[i])
	}
	if m.statusTimeout >= 0 {
		m.gitState.fill(ctx, login, out, fromHead)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// repoInfo fills Repo, and Branch from .git/HEAD when .git is a
// directory, which it reports.
func repoInfo(r *os.Root, info *Info) (fromHead bool) {
	gfi, err := r.Lstat(info.Name + "/.git")
	switch {
	case err != nil:
	case gfi.IsDir():
		info.Repo = true
		info.Branch = readHead(r, info.Name+"/.git/HEAD")
		return true
	case gfi.Mode().IsRegular(): // a gitfile: worktree or submodule
		info.Repo = true
	default: // a symlinked .git is not followed, nor handed to git
	}
	return false
}

// status runs `git status --porcelain=v2 --branch` in dir. Git runs with
// optional locks off (status never writes the index) and the fsmonitor
// hook disabled, as the login when Options.Credential says so.
func (m *Manager) status(ctx context.Context, login, dir string) (branch string, dirty bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, m.statusTimeout)
	defer cancel()
	out := &capWriter{max: maxStatusOutput}
	cmd := m.command(ctx, login, out, nil,
		"--no-optional-locks", "-c", "core.fsmonitor=false", "-C", dir,
		"status", "--porcelain=v2", "--branch")
	if err := cmd.Run(); err != nil {
		return "", false, fmt.Errorf("git status: %w", err)
	}
	branch, dirty = parseStatus(out.buf.Bytes())
	return branch, dirty || out.truncated, nil
}

// parseStatus reads git's porcelain v2 output: the "# branch.head" header
// names the branch ("(detached)" gives ""); any line that is not a header
// is a change, so the tree is dirty.
func parseStatus(out []byte) (branch string, dirty bool) {
	for len(out) > 0 {
		var line []byte
		line, out, _ = bytes.Cut(out, []byte("\n"))
		if len(line) == 0 {
			continue
		}
		if line[0] != '#' {
			dirty = true
			continue
		}
		if head, ok := bytes.CutPrefix(line, []byte("# branch.head ")); ok {
			branch = cleanBranch(string(head))
		}
	}
	return branch, dirty
}

// readHead returns the branch .git/HEAD points at, or "" (detached, not
// a plain file, unreadable). The file is opened without following a
// symlink and without blocking on a FIFO planted there.
func readHead(r *os.Root, name string) string {
	f, err := r.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	buf := make([]byte, 512)
	n, _ := io.ReadFull(f, buf)
	ref, ok := strings.CutPrefix(strings.TrimSpace(string(buf[:n])), "ref: refs/heads/")
	if !ok {
		return ""
	}
	return cleanBranch(ref)
}

// cleanBranch returns s if it could be a branch name that is safe to show
// (valid UTF-8, no control characters or spaces, at most 255 bytes, not
// git's "(detached)"), else "".
func cleanBranch(s string) string {
	if s == "" || s == "(detached)" || len(s) > 255 || !utf8.ValidString(s) || strings.Contains(s, "..") {
		return ""
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\\' || printable(string(r)) == "" {
			return ""
		}
	}
	return s
}
