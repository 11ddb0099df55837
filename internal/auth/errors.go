package auth

import "errors"

// Sentinel errors. Callers match them with errors.Is.
var (
	// ErrInvalidLogin means a string is not a valid GitHub login.
	ErrInvalidLogin = errors.New("invalid login")
	// ErrInvalidAllowlist means an allowlist file or list could not be parsed.
	ErrInvalidAllowlist = errors.New("invalid allowlist")
	// ErrNotAllowed means the login is not on the allowlist.
	ErrNotAllowed = errors.New("login not allowlisted")
	// ErrFetchDisabled means key fetching is switched off (no GitHub URL).
	ErrFetchDisabled = errors.New("key fetching disabled")
	// ErrNoSuchUser means GitHub answered 404 for the login.
	ErrNoSuchUser = errors.New("no such user")
	// ErrNotPlainText means a 200 response was not text/plain (a login or
	// abuse page, for example); nothing was parsed from it.
	ErrNotPlainText = errors.New("response is not text/plain")
	// ErrUnexpectedStatus means GitHub answered a status other than 200 or 404.
	ErrUnexpectedStatus = errors.New("unexpected status")
	// ErrTooLarge means a response body or file exceeded its size limit.
	ErrTooLarge = errors.New("too large")
	// ErrAlreadyRunning means Run was called twice.
	ErrAlreadyRunning = errors.New("already running")
)
