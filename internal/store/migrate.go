package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationName is NNNN_description.sql; NNNN is the schema version the
// file brings the database to.
var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads migrations/*.sql from fsys. Versions must run 1..N
// with no gaps or duplicates.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("read migrations: bad file name %q", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, "migrations/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("read migrations: %s: want version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate brings the schema (PRAGMA user_version) up to the newest
// migration in fsys, all in one transaction: either every pending migration
// applies or none does. A database newer than fsys knows fails with
// ErrSchemaTooNew and is not touched.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	// Look first without the write lock, so that an up-to-date database
	// opens even while another process is writing to it.
	current, err := schemaVersion(ctx, db, len(ms))
	if err != nil || current == len(ms) {
		return err
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", translate(err))
	}
	defer tx.Rollback()
	// Read again under the lock: another process may have migrated.
	if current, err = schemaVersion(ctx, tx, len(ms)); err != nil || current == len(ms) {
		return err
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.name, translate(err))
		}
	}
	// PRAGMA takes no parameters; len(ms) is an int we computed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(ms))); err != nil {
		return fmt.Errorf("migrate: set user_version: %w", translate(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", translate(err))
	}
	return nil
}

// schemaVersion reads PRAGMA user_version and refuses one above known.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, known int) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("migrate: read user_version: %w", translate(err))
	}
	if v > known {
		return 0, fmt.Errorf("migrate: schema version %d, this binary knows %d: %w", v, known, ErrSchemaTooNew)
	}
	return v, nil
}
