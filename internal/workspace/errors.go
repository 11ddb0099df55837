package workspace

import "errors"

var (
	// ErrInvalidName is returned for a workspace name that fails validation.
	ErrInvalidName = errors.New("invalid workspace name")
	// ErrInvalidLogin is returned for a login that is not a GitHub login.
	ErrInvalidLogin = errors.New("invalid login")
	// ErrInvalidURL is returned for a clone URL that ValidateCloneURL refuses.
	ErrInvalidURL = errors.New("invalid clone URL")
	// ErrExists means a workspace (or something else) already has the name.
	ErrExists = errors.New("workspace already exists")
	// ErrNotFound means there is no workspace of that name.
	ErrNotFound = errors.New("workspace not found")
	// ErrNotWorkspace means something other than a plain directory (a
	// symlink, a file) sits where a workspace or a login's root should be.
	// It is never followed.
	ErrNotWorkspace = errors.New("not a workspace directory")
)

// userError is a failure the user can act on. Its message says in one line
// what was wrong and what to do; UserMessage hands it to whoever shows it
// to the user, apart from the chain of operations wrapped around it.
type userError struct {
	err error // the sentinel, for errors.Is
	msg string
}

func (e *userError) Error() string       { return e.msg }
func (e *userError) Unwrap() error       { return e.err }
func (e *userError) UserMessage() string { return e.msg }

// existsError is ErrExists for the workspace n.
func existsError(n string) error {
	return &userError{err: ErrExists, msg: n + " already exists; choose another name, or attach to it"}
}
