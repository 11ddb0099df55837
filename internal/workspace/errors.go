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
