package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RecordLogin records that login authenticated at at (zero means now): it
// creates the user with FirstSeen = at if new, and sets LastLogin = at.
func (s *Store) RecordLogin(ctx context.Context, login string, at time.Time) error {
	if login == "" {
		return fmt.Errorf("record login: empty login")
	}
	n, err := nanos(s.orNow(at))
	if err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO users (login, first_seen, last_login) VALUES (?1, ?2, ?2)
			ON CONFLICT (login) DO UPDATE SET last_login = excluded.last_login`,
			login, n)
		return err
	})
	if err != nil {
		return fmt.Errorf("record login %q: %w", login, err)
	}
	return nil
}

// User returns one user, or an error wrapping ErrNotFound.
func (s *Store) User(ctx context.Context, login string) (User, error) {
	row := s.db.QueryRowContext(ctx,
		`SELECT login, first_seen, last_login FROM users WHERE login = ?`, login)
	u, err := scanUser(row)
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", login, translate(err))
	}
	return u, nil
}

// Users returns every user, ordered by login.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT login, first_seen, last_login FROM users ORDER BY login`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", translate(err))
	}
	defer rows.Close()
	var us []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", translate(err))
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users: %w", translate(err))
	}
	return us, nil
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanUser(r scanner) (User, error) {
	var u User
	var first, last sql.NullInt64
	if err := r.Scan(&u.Login, &first, &last); err != nil {
		return User{}, err
	}
	u.FirstSeen, u.LastLogin = fromNanos(first), fromNanos(last)
	return u, nil
}

// SetLastWorkspace records the workspace login attached to last; the user is
// created if new.
func (s *Store) SetLastWorkspace(ctx context.Context, login, workspace string) error {
	if login == "" {
		return fmt.Errorf("set last workspace: empty login")
	}
	n, err := nanos(s.now())
	if err != nil {
		return fmt.Errorf("set last workspace: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO users (login, first_seen, last_workspace) VALUES (?1, ?2, ?3)
			ON CONFLICT (login) DO UPDATE SET last_workspace = excluded.last_workspace`,
			login, n, workspace)
		return err
	})
	if err != nil {
		return fmt.Errorf("set last workspace of %q: %w", login, err)
	}
	return nil
}

// LastWorkspace returns the workspace login attached to last, "" if none.
func (s *Store) LastWorkspace(ctx context.Context, login string) (string, error) {
	var ws string
	err := s.db.QueryRowContext(ctx, `SELECT last_workspace FROM users WHERE login = ?`, login).Scan(&ws)
	if err != nil {
		return "", fmt.Errorf("last workspace of %q: %w", login, translate(err))
	}
	return ws, nil
}
