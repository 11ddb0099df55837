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
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &e):
		return e.Code
	case errors.As(err, &u):
		return ExitUsage
	default:
		return ExitFailure
	}
}

// ExitError ends a command with a given exit code and no message, e.g. an
// attached program's own exit code.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }
