package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// defaultEventLimit is the number of events Events returns when the filter
// sets no limit.
const defaultEventLimit = 1000

// AddEvent appends e to the audit log. A zero At means now; e.ID is
// ignored (the store assigns it).
func (s *Store) AddEvent(ctx context.Context, e Event) error {
	if e.Kind == "" {
		return fmt.Errorf("add event: empty kind")
	}
	n, err := nanos(s.orNow(e.At))
	if err != nil {
		return fmt.Errorf("add event %s: %w", e.Kind, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO events (at, kind, login, actor, remote, fingerprint, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			n, e.Kind, e.Login, e.Actor, e.Remote, e.Fingerprint, e.Detail)
		return err
	})
	if err != nil {
		return fmt.Errorf("add event %s: %w", e.Kind, err)
	}
	return nil
}

// Events returns the events matching f, newest first (ties by insertion
// order, newest first), at most f.Limit of them (default 1000).
func (s *Store) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		n, err := nanos(f.Since)
		if err != nil {
			return nil, fmt.Errorf("events: since: %w", err)
		}
		where, args = append(where, "at >= ?"), append(args, n)
	}
	if f.Login != "" {
		where, args = append(where, "login = ?"), append(args, f.Login)
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultEventLimit
	}
	q := `SELECT id, at, kind, login, actor, remote, fingerprint, detail FROM events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC LIMIT ?"
	args = append(args, limit)

	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", translate(err))
	}
	defer rows.Close()
	var es []Event
	for rows.Next() {
		var e Event
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.Login, &e.Actor, &e.Remote, &e.Fingerprint, &e.Detail); err != nil {
			return nil, fmt.Errorf("events: %w", translate(err))
		}
		e.At = fromNanos(at)
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: %w", translate(err))
	}
	return es, nil
}

// PruneEvents deletes the events strictly older than before and returns how
// many it deleted.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, nil
	}
	n, err := nanos(before)
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	var deleted int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE at < ?`, n)
		if err != nil {
			return err
		}
		deleted, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return deleted, nil
}
