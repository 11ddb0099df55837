package session

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// startFailWindow is how soon after its start a program that ends by
// itself with a non-zero code, before any client typed into it, counts as
// having failed to start: an exec wrapper (the isolation shim, bwrap, a
// shell) that cannot run the real program ends that way, as does a program
// refusing its arguments. Later, or after input, an exit is just an exit.
const startFailWindow = 2 * time.Second

// maxReasonRunes bounds the program's own words in a failure reason.
const maxReasonRunes = 200

// errNotExecutable is what checkProgram finds for a file no one may execute.
var errNotExecutable = errors.New("not executable")

// checkProgram tells before the start whether cmd's program can run at
// all: exec.Command's own lookup in the server's PATH, and, for an
// absolute path, which exec.Command does not look up, whether the file is
// still there and executable by anyone. Whether the login's uid may run it
// is for the exec itself to say.
func checkProgram(cmd *exec.Cmd) error {
	if cmd.Err != nil {
		return cmd.Err
	}
	if !filepath.IsAbs(cmd.Path) {
		return nil
	}
	fi, err := os.Stat(cmd.Path)
	switch {
	case err != nil:
		return err
	case fi.IsDir():
		return &fs.PathError{Op: "exec", Path: cmd.Path, Err: syscall.EISDIR}
	case fi.Mode()&0o111 == 0:
		return &fs.PathError{Op: "exec", Path: cmd.Path, Err: errNotExecutable}
	}
	return nil
}

// programFailure is a start that failed on the program itself (lookup,
// check, fork/exec), with a shell's exit code for it.
func programFailure(prog string, err error) *StartError {
	code, why := CodeNotExecutable, ""
	var ee *exec.Error
	var errno syscall.Errno
	switch {
	case errors.As(err, &ee) && errors.Is(ee.Err, exec.ErrNotFound):
		code, why = CodeNotFound, "not found on the server's PATH"
	case errors.Is(err, fs.ErrNotExist):
		code, why = CodeNotFound, "not found"
	case errors.Is(err, errNotExecutable):
		why = "not executable"
	case errors.Is(err, syscall.EISDIR):
		why = "is a directory"
	case errors.Is(err, fs.ErrPermission):
		why = "permission denied"
	case errors.Is(err, syscall.ENOEXEC):
		why = "not an executable file"
	case errors.As(err, &errno):
		code, why = CodeStartFailed, errno.Error()
	default:
		code, why = CodeStartFailed, err.Error()
	}
	return &StartError{Code: code, Reason: fmt.Sprintf("cannot start %s: %s", prog, why), Err: err}
}

// setupFailure is a start that failed before the program could be tried:
// the workspace, HOME, history, confinement or PTY.
// When an error in err's chain carries a message meant for the user (a
// workspace refused with what to do about it), that message is the reason,
// not the whole chain.
// A *StartError in the chain (a start refused by Options.EnsureWorkspace
// with its own code and reason) is kept as it is.
func setupFailure(prog string, err error) *StartError {
	if se := (*StartError)(nil); errors.As(err, &se) {
		return se
	}
	why := err.Error()
	var um interface{ UserMessage() string }
	if errors.As(err, &um) {
		why = um.UserMessage()
	}
	return &StartError{Code: CodeStartFailed, Reason: fmt.Sprintf("cannot start %s: %s", prog, sanitize(why)), Err: err}
}

// failedAtOnce reports whether r's end, with code, means its program never
// got going (see startFailWindow). r.stopping must be false.
func failedAtOnce(r *run, code int, ended time.Time) bool {
	return code != 0 && !r.typed.Load() && ended.Sub(r.started) < startFailWindow
}

// exitReason says why a program that ended at once failed: its code and
// the last line it showed, which is where exec wrappers and programs put
// their complaint.
func exitReason(prog string, code int, lines []string) string {
	why := fmt.Sprintf("%s exited at once with code %d", prog, code)
	if l := lastLine(lines); l != "" {
		why += ": " + l
	}
	return why
}

// lastLine returns the last non-blank line, without a leading "warren: "
// (the shim's own prefix, which the user's line adds again), control
// characters replaced, at most maxReasonRunes long.
func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(sanitize(strings.TrimSpace(lines[i])))
		if l == "" {
			continue
		}
		l = strings.TrimPrefix(l, "warren: ")
		if utf8.RuneCountInString(l) > maxReasonRunes {
			l = string([]rune(l)[:maxReasonRunes]) + "…"
		}
		return l
	}
	return ""
}

// failStart records a start that failed with err, from the state prev,
// for conversation id, and returns the error start returns. A *StartError
// puts the session in StateFailed with its code and reason, adds a line
// saying so to the last program's screen (what the picker's preview
// shows), logs a warning and emits EventFailed. Any other error (the
// Manager is closing) leaves the session as it was.
func (s *session) failStart(prev State, id string, err error) error {
	var se *StartError
	if !errors.As(err, &se) {
		s.mu.Lock()
		s.state = prev
		if prev == 0 {
			s.state = StateStopped
		}
		s.mu.Unlock()
		return err
	}
	now := time.Now()
	s.mu.Lock()
	s.id, s.state, s.exitCode, s.failure, s.lastActivity = id, StateFailed, se.Code, se.Reason, now
	if s.screen != nil {
		_, _ = s.screen.Write([]byte(failedLine(s.screen, s.workspace, se.Reason)))
	}
	s.mu.Unlock()
	s.log.Warn("session failed to start", "id", id, "code", se.Code, "reason", se.Reason, "err", se.Err)
	s.m.emit(Event{Kind: EventFailed, Login: s.login, Workspace: s.workspace, ID: id, ExitCode: se.Code, Error: se.Reason, Time: now})
	return se
}

// failedLine is the status line of a session that could not start, on a
// clean line below everything, as the end notices are.
func failedLine(scr Screen, workspace, reason string) string {
	b, _ := appendOwnLine([]byte(resetState), scr)
	return string(fmt.Appendf(b, "[warren: %s could not start: %s]\r\n", sanitize(workspace), reason))
}
