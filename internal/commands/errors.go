package commands

import (
	"errors"
	"fmt"
)

// Exit codes of SSH commands.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	ExitUnknown = 127
	ExitServer  = 255
)

// ErrPermission is returned when a non-admin runs an admin command.
var ErrPermission = errors.New("permission denied")

// ErrNotFound is what the interfaces the commands use return (wrapped) for
// a workspace, session or login that does not exist or is not the
// caller's: the two cases must not be told apart.
var ErrNotFound = errors.New("not found")

// UsageError is a command line the command cannot make sense of.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ExitCode maps an error returned by a command to its exit code.
func ExitCode(err error) int {
	var u *UsageError
	var e *ExitError
	var s *ServerError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &e):
		return e.Code
	case errors.As(err, &u):
		return ExitUsage
	case errors.As(err, &s):
		return ExitServer
	default:
		return ExitFailure
	}
}

// ExitError ends a command with a given exit code and no message, e.g. an
// attached program's own exit code.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// A userMessager is an error that carries, apart from its chain of
// operations (for the server's log), one line for the user: what was
// wrong and what to do. UserError and ServerError are such errors, and
// so are those of the services behind Workspaces that the user can act on
// (a refused name, a taken name, a failed clone). The router prints the
// innermost one's message instead of the chain.
type userMessager interface{ UserMessage() string }

// UserError is a failure the user can act on: Msg says, in one line, what
// was wrong and what to do; Err, when set, is the cause, for the log.
type UserError struct {
	Msg string
	Err error
}

func (e *UserError) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + ": " + e.Err.Error()
}

func (e *UserError) Unwrap() error { return e.Err }

// UserMessage is Msg.
func (e *UserError) UserMessage() string { return e.Msg }

// ServerError is a failure of the server, not of what the user asked: the
// user is told what could not be done and that the log says why; Err goes
// to the log. It exits with ExitServer.
type ServerError struct {
	Msg string // what could not be done: "could not create web"
	Err error
}

func (e *ServerError) Error() string { return e.Msg + ": " + e.Err.Error() }

func (e *ServerError) Unwrap() error { return e.Err }

// UserMessage is Msg and where to find the cause.
func (e *ServerError) UserMessage() string {
	return e.Msg + ": the server failed (its log says why)"
}

// serverFailure wraps err, unless the user can act on it (it has a
// message for the user, or it is ErrNotFound or ErrPermission), as a
// ServerError saying what could not be done.
func serverFailure(what string, err error) error {
	var um userMessager
	if err == nil || errors.As(err, &um) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrPermission) {
		return err
	}
	return &ServerError{Msg: what, Err: err}
}

// userMessage is the line the user sees for err: the message of the
// outermost error in its chain that has one, or else the whole chain.
func userMessage(err error) string {
	var um userMessager
	if errors.As(err, &um) {
		return um.UserMessage()
	}
	return err.Error()
}

// UserMessage returns the line a user should see for err, and whether err
// carries one (a UserError, a ServerError, or an error of a service that
// the user can act on); without one, the caller decides what to say.
func UserMessage(err error) (string, bool) {
	var um userMessager
	if errors.As(err, &um) {
		return um.UserMessage(), true
	}
	return "", false
}
