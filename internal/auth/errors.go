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
	// ErrNoSuchUser means GitHub answered 404 for the login: the account
	// was renamed or deleted, and its name may be taken by someone else.
	ErrNoSuchUser = errors.New("no such user")
	// ErrKeysReplaced means GitHub lists a key set that shares no key with
	// the cached one: what a login reused by a new account looks like. The
	// new set waits for an admin (refresh-keys LOGIN --accept).
	ErrKeysReplaced = errors.New("key set replaced entirely; held for an admin: refresh-keys LOGIN --accept")
	// ErrNoKeysListed means GitHub lists no keys for a login whose keys are
	// cached: every key was removed, or the name now belongs to a new
	// account that has none yet. The cached keys let nobody in, and stay
	// as the set the next listed one must share a key with.
	ErrNoKeysListed = errors.New("GitHub lists no keys; a new key set must share one with the cached set, or wait for an admin: refresh-keys LOGIN --accept")
	// ErrNotPlainText means a 200 response was not text/plain (a login or
	// abuse page, for example); nothing was parsed from it.
	ErrNotPlainText = errors.New("response is not text/plain")
	// ErrUnexpectedStatus means GitHub answered a status other than 200 or 404.
	ErrUnexpectedStatus = errors.New("unexpected status")
	// ErrTooLarge means a response body or file exceeded its size limit.
	ErrTooLarge = errors.New("too large")
	// ErrKeyNotListed means a login does not list the key it was to be
	// given.
	ErrKeyNotListed = errors.New("login does not list that key")
	// ErrAlreadyRunning means Run was called twice.
	ErrAlreadyRunning = errors.New("already running")
)
