package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// Sentinel errors. Callers match them with errors.Is; the store translates
// driver errors into them in one place (translate).
var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a write collided with an existing row.
	ErrConflict = errors.New("conflict")
	// ErrSchemaTooNew means the database was written by a newer warren.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
	// ErrCorrupt means the database file failed its integrity check or is
	// not a database at all. The file is left untouched.
	ErrCorrupt = errors.New("database is corrupt")
	// ErrBusy means another writer held the database lock for longer than
	// the busy timeout.
	ErrBusy = errors.New("database is busy")
	// ErrFull means the disk (or the database's page limit) is full.
	ErrFull = errors.New("database or disk is full")
	// ErrUIDRangeExhausted means every uid in the range asked for has
	// already been given to a login (uids are never reused).
	ErrUIDRangeExhausted = errors.New("uid range exhausted")
)

// translate maps driver errors onto the package sentinels, keeping the
// driver error in the chain for the log. It returns nil for nil.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.ExtendedCode == sqlite3.ErrConstraintUnique,
		se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey:
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case se.Code == sqlite3.ErrBusy, se.Code == sqlite3.ErrLocked:
		return fmt.Errorf("%w: %w", ErrBusy, err)
	case se.Code == sqlite3.ErrFull:
		return fmt.Errorf("%w: %w", ErrFull, err)
	case se.Code == sqlite3.ErrCorrupt, se.Code == sqlite3.ErrNotADB:
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}
