package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// maxOpenConns bounds the pool. Writes are serialised in-process by
// Store.writeSem (SQLite has one writer), so the other connections serve
// reads, which WAL lets proceed while another process holds the write lock.
const maxOpenConns = 4

// defaultBusyTimeout is how long a write waits for another writer's lock
// before failing with ErrBusy.
const defaultBusyTimeout = 5 * time.Second

// Store is warren's database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	// writeSem admits one in-process writer at a time; a waiting writer
	// gives up when its context ends.
	writeSem chan struct{}
	// now supplies the time for zero timestamps; tests replace it.
	now func() time.Time
}

// options are the knobs tests need; Open uses defaultOptions.
type options struct {
	busyTimeout time.Duration
	// connectHook runs on every new connection after the DSN pragmas.
	connectHook func(*sqlite3.SQLiteConn) error
}

func defaultOptions() options {
	return options{busyTimeout: defaultBusyTimeout}
}

// Open opens (creating if needed) the database at path. It creates the
// parent directory with mode 0700 and the file with mode 0600, sets WAL,
// busy_timeout, foreign keys, immediate transactions and synchronous=NORMAL,
// runs PRAGMA quick_check, and applies the embedded migrations in one
// transaction.
//
// A file that is not a database or fails the check returns an error
// wrapping ErrCorrupt; a schema newer than this binary returns one wrapping
// ErrSchemaTooNew. In both cases the file is left exactly as it was: Open
// never replaces an existing database with an empty one.
func Open(path string) (*Store, error) {
	return open(path, defaultOptions())
}

func open(path string, opts options) (*Store, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := prepareFile(abs); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}

	db := sql.OpenDB(&connector{
		drv: &sqlite3.SQLiteDriver{ConnectHook: opts.connectHook},
		dsn: dsn(abs, opts.busyTimeout),
	})
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)

	s := &Store{db: db, writeSem: make(chan struct{}, 1), now: time.Now}
	ctx := context.Background()
	if err := s.check(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", abs, err)
	}
	if err := migrate(ctx, db, migrationFS); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", abs, err)
	}
	return s, nil
}

// prepareFile creates the parent directory (0700) and, if missing, the file
// (0600). An existing file readable by group or others is narrowed to 0600.
// An existing empty file with no WAL beside it is refused: it is what a
// truncated database looks like, and SQLite would quietly start it afresh.
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() == 0 {
		if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s is empty (truncated?); move it away to start a new database: %w", path, ErrCorrupt)
		}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(path, 0o600)
	}
	return nil
}

// dsn builds a file: URI so that any byte in path is escaped, with the
// go-sqlite3 pragma parameters every connection gets.
func dsn(path string, busy time.Duration) string {
	u := url.URL{Scheme: "file", Path: path}
	q := url.Values{}
	q.Set("mode", "rw") // the file exists: never let SQLite create a fresh one
	q.Set("_busy_timeout", fmt.Sprint(busy.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	return u.String() + "?" + q.Encode()
}

// connector lets each Store carry its own driver (and so its own connect
// hook) without registering a global driver name.
type connector struct {
	drv *sqlite3.SQLiteDriver
	dsn string
}

func (c *connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c *connector) Driver() driver.Driver                        { return c.drv }

// check verifies WAL took effect and runs PRAGMA quick_check.
func (s *Store) check(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", translate(err))
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return fmt.Errorf("quick check: %w", translate(err))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("quick check: %w", translate(err))
		}
		if line != "ok" && len(problems) < 5 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("quick check: %w", translate(err))
	}
	if len(problems) > 0 {
		return fmt.Errorf("quick check: %s: %w", strings.Join(problems, "; "), ErrCorrupt)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// Ping makes a real round-trip to the database (SELECT 1).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", translate(err))
	}
	return nil
}

// write runs fn in one BEGIN IMMEDIATE transaction, after waiting its turn
// among in-process writers. fn must not do anything but SQL.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case s.writeSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writeSem }()

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return translate(err)
	}
	return translate(tx.Commit())
}

// Times are stored as UTC unix nanoseconds; the zero time is NULL.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// nanos converts t for storage: nil for the zero time, an error outside the
// range int64 nanoseconds can hold (years 1678 to 2262).
func nanos(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return nil, fmt.Errorf("time %s out of range", t.Format(time.RFC3339))
	}
	return t.UnixNano(), nil
}

// orNow returns t, or the store's clock if t is zero.
func (s *Store) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// fromNanos is the inverse of nanos.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}
