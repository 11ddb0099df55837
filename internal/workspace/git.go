package workspace

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// gitWaitDelay bounds how long Wait waits for git's output pipes after git
// exits or is killed (a helper that escaped the process group keeps them open).
const gitWaitDelay = 2 * time.Second

// command builds a git command for login: its own session and process
// group (no controlling terminal, so nothing can prompt), the login's
// credential if any, an environment built from scratch, Options.Wrap, and
// cancellation that kills the whole group.
func (m *Manager) command(ctx context.Context, login string, stdout, stderr io.Writer, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, m.git, args...)
	cmd.Env = m.gitEnv(login)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cred, err := m.cred(login)
	if err != nil {
		cmd.Err = err // Start fails with it: git never runs as the server by mistake
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
	if m.wrap != nil && cmd.Err == nil {
		cmd.Err = m.wrap(login, cmd)
	}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = gitWaitDelay
	return cmd
}

// gitEnv is git's whole environment: nothing is inherited from the server
// but what Options.Env adds (last, so it wins).
func (m *Manager) gitEnv(login string) []string {
	env := []string{
		"PATH=" + defaultPath,
		"LANG=C",
		"GIT_TERMINAL_PROMPT=0",
		// Transports git may use, for the URL and for anything it fetches
		// on its own (submodules, redirects): no ext::, fd:: or helpers.
		"GIT_ALLOW_PROTOCOL=https:ssh:git:file",
		// Repository discovery never climbs above a workspace.
		"GIT_CEILING_DIRECTORIES=" + filepath.Join(m.root, login),
	}
	if m.homeDir != nil {
		if home := m.homeDir(login); home != "" {
			env = append(env, "HOME="+home)
		}
	}
	return append(env, m.env...)
}

// killGroup SIGKILLs the process group led by pid. A group already gone is
// not an error.
func killGroup(pid int) error {
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// tailWriter keeps the last max bytes written to it. It is safe for
// concurrent use: exec's copying goroutine may outlive Wait by WaitDelay.
type tailWriter struct {
	max int
	mu  sync.Mutex
	// mu guards the following.
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

// lastLines returns the last n non-empty lines written (progress updates
// end in \r, so \r ends a line too), cleaned of control characters and
// joined with "; ". Lines starting "fatal:" or "error:", when there are
// any, are preferred: git ends a failure with generic advice.
func (w *tailWriter) lastLines(n int) string {
	w.mu.Lock()
	text := string(w.buf)
	w.mu.Unlock()
	var all, errs []string
	for _, l := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = printable(l); l == "" {
			continue
		}
		all = append(all, l)
		if strings.HasPrefix(l, "fatal:") || strings.HasPrefix(l, "error:") {
			errs = append(errs, l)
		}
	}
	if len(errs) > 0 {
		all = errs
	}
	return strings.Join(all[max(len(all)-n, 0):], "; ")
}

// printable drops everything but printable characters (no ESC, no C1, no
// bidi controls) and trims spaces: git's output may echo hostile input.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// capWriter keeps the first max bytes written and silently drops the rest,
// so a huge `git status` neither grows memory nor dies of SIGPIPE.
type capWriter struct {
	max       int
	buf       bytes.Buffer
	truncated bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room < len(p) {
		w.truncated = true
		w.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return w.buf.Write(p)
}
