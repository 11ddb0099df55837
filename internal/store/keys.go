package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// keySetQuery reads key sets with their keys in one statement, so the
// result is one consistent snapshot. A login with no keys yields one row
// with a NULL key.
const keySetQuery = `
	SELECT ks.login, ks.fetched_at, ks.checked_at, ks.last_error, k.key
	FROM key_sets ks LEFT JOIN keys k ON k.login = ks.login`

// KeySet returns the cached keys of login, or an error wrapping ErrNotFound
// if no fetch was ever recorded for it (successful or not).
func (s *Store) KeySet(ctx context.Context, login string) (KeySet, error) {
	sets, err := s.keySets(ctx, keySetQuery+` WHERE ks.login = ? ORDER BY k.key`, login)
	if err != nil {
		return KeySet{}, fmt.Errorf("key set %q: %w", login, err)
	}
	if len(sets) == 0 {
		return KeySet{}, fmt.Errorf("key set %q: %w", login, ErrNotFound)
	}
	return sets[0], nil
}

// KeySets returns the cached keys of every login, ordered by login.
func (s *Store) KeySets(ctx context.Context) ([]KeySet, error) {
	sets, err := s.keySets(ctx, keySetQuery+` ORDER BY ks.login, k.key`)
	if err != nil {
		return nil, fmt.Errorf("key sets: %w", err)
	}
	return sets, nil
}

// keySets runs a keySetQuery ordered by login and folds the rows into sets.
// Keys is nil for a login without keys.
func (s *Store) keySets(ctx context.Context, query string, args ...any) ([]KeySet, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var sets []KeySet
	for rows.Next() {
		var ks KeySet
		var fetched, checked sql.NullInt64
		var key sql.NullString
		if err := rows.Scan(&ks.Login, &fetched, &checked, &ks.LastError, &key); err != nil {
			return nil, translate(err)
		}
		if n := len(sets); n == 0 || sets[n-1].Login != ks.Login {
			ks.FetchedAt, ks.CheckedAt = fromNanos(fetched), fromNanos(checked)
			sets = append(sets, ks)
		}
		if key.Valid {
			last := &sets[len(sets)-1]
			last.Keys = append(last.Keys, key.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	return sets, nil
}

// ReplaceKeys stores keys (sorted, duplicates removed) as login's key set
// after a successful fetch at at (zero means now): FetchedAt = CheckedAt =
// at and LastError is cleared, all in one transaction.
//
// changed reports whether a previous successful fetch existed and its set
// differs from keys. The first successful fetch is not a change, even after
// failed attempts. Whether an empty set may replace a non-empty one is the
// caller's decision; ReplaceKeys stores what it is given.
func (s *Store) ReplaceKeys(ctx context.Context, login string, keys []string, at time.Time) (changed bool, err error) {
	if login == "" {
		return false, fmt.Errorf("replace keys: empty login")
	}
	n, err := nanos(s.orNow(at))
	if err != nil {
		return false, fmt.Errorf("replace keys %q: %w", login, err)
	}
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))

	err = s.write(ctx, func(tx *sql.Tx) error {
		var fetched sql.NullInt64
		err := tx.QueryRowContext(ctx,
			`SELECT fetched_at FROM key_sets WHERE login = ?`, login).Scan(&fetched)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if fetched.Valid {
			old, err := keysIn(ctx, tx, login)
			if err != nil {
				return err
			}
			changed = !slices.Equal(old, keys)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO key_sets (login, fetched_at, checked_at, last_error) VALUES (?1, ?2, ?2, '')
			ON CONFLICT (login) DO UPDATE SET
				fetched_at = excluded.fetched_at,
				checked_at = excluded.checked_at,
				last_error = ''`, login, n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM keys WHERE login = ?`, login); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO keys (login, key) VALUES (?, ?)`, login, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("replace keys %q: %w", login, err)
	}
	return changed, nil
}

// keysIn returns login's stored keys, sorted.
func keysIn(ctx context.Context, tx *sql.Tx, login string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key FROM keys WHERE login = ? ORDER BY key`, login)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RecordFetchError records a failed fetch attempt for login at at (zero
// means now): it sets CheckedAt and LastError and never touches the cached
// keys or FetchedAt, so the last good set stays usable. An empty reason is
// stored as "unknown error", so LastError is never empty after a failure.
func (s *Store) RecordFetchError(ctx context.Context, login, reason string, at time.Time) error {
	if login == "" {
		return fmt.Errorf("record fetch error: empty login")
	}
	if reason == "" {
		reason = "unknown error"
	}
	n, err := nanos(s.orNow(at))
	if err != nil {
		return fmt.Errorf("record fetch error %q: %w", login, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO key_sets (login, fetched_at, checked_at, last_error) VALUES (?1, NULL, ?2, ?3)
			ON CONFLICT (login) DO UPDATE SET
				checked_at = excluded.checked_at,
				last_error = excluded.last_error`, login, n, reason)
		return err
	})
	if err != nil {
		return fmt.Errorf("record fetch error %q: %w", login, err)
	}
	return nil
}
