package store

import (
	"context"
	"database/sql"
	"fmt"
)

// PutSession inserts or replaces the record for (sess.Login,
// sess.Workspace), storing every field as given; zero CreatedAt or
// UpdatedAt mean now. An ID already used by another (login, workspace)
// returns an error wrapping ErrConflict.
func (s *Store) PutSession(ctx context.Context, sess Session) error {
	switch {
	case sess.Login == "", sess.Workspace == "", sess.ID == "":
		return fmt.Errorf("put session: login, workspace and id are required")
	case sess.State != SessionRunning && sess.State != SessionExited && sess.State != SessionStopped && sess.State != SessionFailed:
		return fmt.Errorf("put session %s/%s: unknown state %q", sess.Login, sess.Workspace, sess.State)
	}
	now := s.now()
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = now
	}
	if sess.UpdatedAt.IsZero() {
		sess.UpdatedAt = now
	}
	created, err := nanos(sess.CreatedAt)
	if err != nil {
		return fmt.Errorf("put session %s/%s: %w", sess.Login, sess.Workspace, err)
	}
	updated, err := nanos(sess.UpdatedAt)
	if err != nil {
		return fmt.Errorf("put session %s/%s: %w", sess.Login, sess.Workspace, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO sessions (login, workspace, id, state, exit_code, created_at, updated_at, cols, rows, error)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (login, workspace) DO UPDATE SET
				id = excluded.id,
				state = excluded.state,
				exit_code = excluded.exit_code,
				created_at = excluded.created_at,
				updated_at = excluded.updated_at,
				cols = excluded.cols,
				rows = excluded.rows,
				error = excluded.error`,
			sess.Login, sess.Workspace, sess.ID, sess.State, sess.ExitCode, created, updated, sess.Cols, sess.Rows, sess.Error)
		return err
	})
	if err != nil {
		return fmt.Errorf("put session %s/%s: %w", sess.Login, sess.Workspace, err)
	}
	return nil
}

const sessionColumns = `login, workspace, id, state, exit_code, created_at, updated_at, cols, rows, error`

// SessionFor returns the record of (login, workspace), or an error wrapping
// ErrNotFound.
func (s *Store) SessionFor(ctx context.Context, login, workspace string) (Session, error) {
	row := s.db.QueryRowContext(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE login = ? AND workspace = ?`,
		login, workspace)
	sess, err := scanSession(row)
	if err != nil {
		return Session{}, fmt.Errorf("session %s/%s: %w", login, workspace, translate(err))
	}
	return sess, nil
}

// Sessions returns the records of login ("" for every login), ordered by
// login then workspace.
func (s *Store) Sessions(ctx context.Context, login string) ([]Session, error) {
	q := `SELECT ` + sessionColumns + ` FROM sessions`
	var args []any
	if login != "" {
		q += ` WHERE login = ?`
		args = append(args, login)
	}
	q += ` ORDER BY login, workspace`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", translate(err))
	}
	defer rows.Close()
	var ss []Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("sessions: %w", translate(err))
		}
		ss = append(ss, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sessions: %w", translate(err))
	}
	return ss, nil
}

// DeleteSession deletes the record of (login, workspace), or returns an
// error wrapping ErrNotFound if there is none.
func (s *Store) DeleteSession(ctx context.Context, login, workspace string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM sessions WHERE login = ? AND workspace = ?`, login, workspace)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete session %s/%s: %w", login, workspace, err)
	}
	return nil
}

func scanSession(r scanner) (Session, error) {
	var sess Session
	var created, updated sql.NullInt64
	err := r.Scan(&sess.Login, &sess.Workspace, &sess.ID, &sess.State, &sess.ExitCode, &created, &updated, &sess.Cols, &sess.Rows, &sess.Error)
	if err != nil {
		return Session{}, err
	}
	sess.CreatedAt, sess.UpdatedAt = fromNanos(created), fromNanos(updated)
	return sess, nil
}
