package history

import "errors"

var (
	// ErrClosed is returned by Flush after Close.
	ErrClosed = errors.New("history: ring closed")
	// ErrCorrupt marks a record that is torn or fails its checksum.
	ErrCorrupt = errors.New("history: corrupt record")
	// ErrInvalidOptions is returned by Open for unusable Options.
	ErrInvalidOptions = errors.New("history: invalid options")
)
