package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// KeyClaims returns every key claim, ordered by fingerprint, then login.
func (s *Store) KeyClaims(ctx context.Context) ([]KeyClaim, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT fingerprint, login, holder, since, how FROM key_claims ORDER BY fingerprint, login`)
	if err != nil {
		return nil, fmt.Errorf("key claims: %w", translate(err))
	}
	defer rows.Close()
	var out []KeyClaim
	for rows.Next() {
		var c KeyClaim
		var since sql.NullInt64
		if err := rows.Scan(&c.Fingerprint, &c.Login, &c.Holder, &since, &c.How); err != nil {
			return nil, fmt.Errorf("key claims: %w", translate(err))
		}
		c.Since = fromNanos(since)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("key claims: %w", translate(err))
	}
	return out, nil
}

// UpdateKeyClaims writes put (inserted, or replacing the claim of the same
// fingerprint and login) and deletes the claims of drop (by fingerprint and
// login), all in one transaction. drop goes first, then the claims of put
// that are not a holder's, then the holders', so that a key passing from
// one login to another never has two holders on the way. A zero Since
// means now. A key given two holders fails with an error wrapping
// ErrConflict, and nothing is written.
func (s *Store) UpdateKeyClaims(ctx context.Context, put, drop []KeyClaim) error {
	if len(put) == 0 && len(drop) == 0 {
		return nil
	}
	ordered := slices.Clone(put)
	slices.SortStableFunc(ordered, func(a, b KeyClaim) int {
		switch {
		case a.Holder == b.Holder:
			return 0
		case a.Holder:
			return 1
		default:
			return -1
		}
	})
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, c := range drop {
			if _, err := tx.ExecContext(ctx,
				`DELETE FROM key_claims WHERE fingerprint = ? AND login = ?`, c.Fingerprint, c.Login); err != nil {
				return err
			}
		}
		for _, c := range ordered {
			n, err := nanos(s.orNow(c.Since))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO key_claims (fingerprint, login, holder, since, how) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (fingerprint, login) DO UPDATE SET
					holder = excluded.holder,
					since = excluded.since,
					how = excluded.how`, c.Fingerprint, c.Login, c.Holder, n, c.How); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update key claims: %w", err)
	}
	return nil
}
