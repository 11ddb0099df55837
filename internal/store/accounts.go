package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
)

// maxUID is the highest uid AccountUID gives: math.MaxUint32 is (uid_t)-1,
// which chown and setresuid read as "leave unchanged".
const maxUID = math.MaxUint32 - 1

// lowestFreeUID finds the lowest uid in [?1, ?2] that no row holds: ?1
// itself if free, otherwise the lowest successor of a held uid in the range
// whose own successor is free. NULL when the range is full.
const lowestFreeUID = `
	SELECT min(c) FROM (
		SELECT ?1 AS c WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE uid = ?1)
		UNION ALL
		SELECT a.uid + 1 FROM accounts a
		WHERE a.uid >= ?1 AND a.uid < ?2
			AND NOT EXISTS (SELECT 1 FROM accounts b WHERE b.uid = a.uid + 1)
	)`

// AccountUID returns the Unix uid of login (its gid is the same number),
// giving it one on first use.
//
// A login without a uid gets the lowest uid in [lo, hi] never given to any
// login, in one write transaction, and created is true. Rows are never
// deleted or reused (the schema refuses both): a login removed from the
// allowlist keeps its uid, so the files it owns can never be read by a login
// added later. When every uid in [lo, hi] has been given, the error wraps
// ErrUIDRangeExhausted and nothing is written.
//
// A login that already has a uid keeps it, even one outside [lo, hi] because
// the range was changed since: stability wins. AccountUID returns it with
// created false and no error; the caller should log that the uid lies
// outside the configured range.
//
// login is used exactly as given, as everywhere in the store: callers pass
// the canonical lowercase login, or "Alice" and "alice" get two uids. lo must
// be at least 1 (0 is root), hi at most 4294967294 ((uid_t)-1 is reserved),
// and lo <= hi.
func (s *Store) AccountUID(ctx context.Context, login string, lo, hi uint32) (uid uint32, created bool, err error) {
	switch {
	case login == "":
		return 0, false, errors.New("account uid: empty login")
	case lo == 0:
		return 0, false, fmt.Errorf("account uid %q: range %d-%d includes uid 0 (root)", login, lo, hi)
	case hi > maxUID:
		return 0, false, fmt.Errorf("account uid %q: range %d-%d includes uid %d ((uid_t)-1)", login, lo, hi, uint32(math.MaxUint32))
	case lo > hi:
		return 0, false, fmt.Errorf("account uid %q: empty range %d-%d (low above high)", login, lo, hi)
	}

	// A uid once given never changes, so a committed row read without the
	// write lock is final: a known login needs no write, and keeps logging
	// in while another process holds the lock.
	uid, err = scanUID(s.db.QueryRowContext(ctx, `SELECT uid FROM accounts WHERE login = ?`, login))
	switch {
	case err == nil:
		return uid, false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, false, fmt.Errorf("account uid %q: %w", login, translate(err))
	}

	n, err := nanos(s.now())
	if err != nil {
		return 0, false, fmt.Errorf("account uid %q: %w", login, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		// Again under the lock: another writer may have given it one.
		got, err := scanUID(tx.QueryRowContext(ctx, `SELECT uid FROM accounts WHERE login = ?`, login))
		if !errors.Is(err, sql.ErrNoRows) {
			uid, created = got, false
			return err
		}
		var free sql.NullInt64
		if err := tx.QueryRowContext(ctx, lowestFreeUID, int64(lo), int64(hi)).Scan(&free); err != nil {
			return err
		}
		if !free.Valid {
			return fmt.Errorf("uids %d-%d: %w", lo, hi, ErrUIDRangeExhausted)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO accounts (login, uid, created_at) VALUES (?, ?, ?)`,
			login, free.Int64, n); err != nil {
			return err
		}
		uid, created = uint32(free.Int64), true
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("account uid %q: %w", login, err)
	}
	return uid, created, nil
}

// Accounts returns every login's uid, ordered by uid. Logins no longer
// allowed to log in are included: their rows are never deleted.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT login, uid, created_at FROM accounts ORDER BY uid`)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", translate(err))
	}
	defer rows.Close()
	var as []Account
	for rows.Next() {
		var a Account
		var uid int64
		var createdAt sql.NullInt64
		if err := rows.Scan(&a.Login, &uid, &createdAt); err != nil {
			return nil, fmt.Errorf("accounts: %w", translate(err))
		}
		if a.UID, err = checkUID(uid); err != nil {
			return nil, fmt.Errorf("accounts: %s: %w", a.Login, err)
		}
		a.CreatedAt = fromNanos(createdAt)
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("accounts: %w", translate(err))
	}
	return as, nil
}

// scanUID reads one uid column. Errors are the driver's, untranslated, so
// that callers can tell sql.ErrNoRows apart.
func scanUID(r scanner) (uint32, error) {
	var uid int64
	if err := r.Scan(&uid); err != nil {
		return 0, err
	}
	return checkUID(uid)
}

// checkUID converts a stored uid, refusing one the schema should have
// refused: a uid is never silently truncated.
func checkUID(uid int64) (uint32, error) {
	if uid < 1 || uid > maxUID {
		return 0, fmt.Errorf("stored uid %d out of range", uid)
	}
	return uint32(uid), nil
}
