package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// newStore opens a fresh store in a temporary directory and closes it at
// the end of the test.
func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "data", "warren.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fill writes n events with a large detail so the database spans many pages.
func fill(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		e := Event{Kind: "fill", Detail: strings.Repeat(fmt.Sprint(i), 100)}
		if err := s.AddEvent(ctx, e); err != nil {
			t.Fatalf("AddEvent %d: %v", i, err)
		}
	}
}

func TestOpenPragmas(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		pragma string
		want   string
	}{
		{name: "wal", pragma: "journal_mode", want: "wal"},
		{name: "busy timeout", pragma: "busy_timeout", want: "5000"},
		{name: "foreign keys", pragma: "foreign_keys", want: "1"},
		{name: "synchronous normal", pragma: "synchronous", want: "1"},
		{name: "schema version", pragma: "user_version", want: fmt.Sprint(len(ms))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			if err := s.db.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s: got %q; want %q", tt.pragma, got, tt.want)
			}
		})
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpenFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "warren.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if err := s.RecordLogin(context.Background(), "alice", time.Time{}); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	tests := []struct {
		name string
		path string
		want fs.FileMode
	}{
		{name: "parent dir", path: dir, want: 0o700 | fs.ModeDir},
		{name: "database", path: path, want: 0o600},
		{name: "wal", path: path + "-wal", want: 0o600},
		{name: "shm", path: path + "-shm", want: 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fi, err := os.Stat(tt.path)
			if err != nil {
				t.Fatalf("stat: %v", err)
			}
			if got := fi.Mode(); got != tt.want {
				t.Errorf("mode of %s: got %q; want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestOpenNarrowsLooseMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), fs.FileMode(0o600); got != want {
		t.Errorf("mode: got %q; want %q", got, want)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := s.RecordLogin(ctx, "alice", at); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	u, err := s.User(ctx, "alice")
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if !u.LastLogin.Equal(at) {
		t.Errorf("LastLogin: got %q; want %q", u.LastLogin, at)
	}
}

// TestOpenRefusesDamagedFile checks that a damaged file is an error wrapping
// ErrCorrupt and that Open leaves its bytes exactly as they were.
func TestOpenRefusesDamagedFile(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{
			name: "random bytes",
			damage: func(t *testing.T, path string) {
				b := bytes.Repeat([]byte("not a database \x00\xff\x13"), 4096)
				if err := os.WriteFile(path, b, 0o600); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "truncated mid-page",
			damage: func(t *testing.T, path string) {
				s, err := Open(path)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				fill(t, s, 400)
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(path, fi.Size()/2+1000); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "overwritten page",
			damage: func(t *testing.T, path string) {
				s, err := Open(path)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				fill(t, s, 400)
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				f, err := os.OpenFile(path, os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5}, 4096), 3*4096); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "truncated to zero",
			damage: func(t *testing.T, path string) {
				s, err := Open(path)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if err := os.Truncate(path, 0); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "warren.db")
			tt.damage(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			if err == nil {
				s.Close()
				t.Fatal("Open of a damaged file: got nil error")
			}
			t.Logf("Open: %v", err)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("Open: got %v; want an error wrapping ErrCorrupt", err)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("damaged file gone after Open: %v", err)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("Open changed the damaged file: %d bytes before, %d after", len(before), len(after))
			}
		})
	}
}

func TestOpenSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open: got nil error for a schema from the future")
	}
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open: got %v; want an error wrapping ErrSchemaTooNew", err)
	}
}

func TestMigrate(t *testing.T) {
	init := fstest.MapFile{Data: []byte("CREATE TABLE a (x INTEGER);")}
	tests := []struct {
		name        string
		fsys        fstest.MapFS
		wantErr     bool
		wantVersion int
		wantTables  string
	}{
		{
			name:        "applies all in order",
			fsys:        fstest.MapFS{"migrations/0001_a.sql": &init, "migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (y INTEGER REFERENCES a (x)); INSERT INTO a VALUES (1);")}},
			wantVersion: 2,
			wantTables:  "a,b",
		},
		{
			name:        "failing migration rolls back everything",
			fsys:        fstest.MapFS{"migrations/0001_a.sql": &init, "migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (y); SELECT * FROM nope;")}},
			wantErr:     true,
			wantVersion: 0,
			wantTables:  "",
		},
		{
			name:    "gap in versions",
			fsys:    fstest.MapFS{"migrations/0001_a.sql": &init, "migrations/0003_c.sql": &init},
			wantErr: true,
		},
		{
			name:    "bad file name",
			fsys:    fstest.MapFS{"migrations/0001_a.sql": &init, "migrations/2_b.sql": &init},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "m.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = migrate(context.Background(), db, tt.fsys)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("migrate: got error %v; want error %v", err, tt.wantErr)
			}
			var version int
			if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
				t.Fatal(err)
			}
			if version != tt.wantVersion {
				t.Errorf("user_version: got %d; want %d", version, tt.wantVersion)
			}
			var tables sql.NullString
			if err := db.QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)`).Scan(&tables); err != nil {
				t.Fatal(err)
			}
			if tables.String != tt.wantTables {
				t.Errorf("tables: got %q; want %q", tables.String, tt.wantTables)
			}
		})
	}
}

func TestEmbeddedMigrationsLoad(t *testing.T) {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	if len(ms) == 0 || ms[0].name != "0001_init.sql" {
		t.Fatalf("migrations: got %v; want 0001_init.sql first", ms)
	}
}

func TestTranslate(t *testing.T) {
	s := newStore(t)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{name: "no rows", err: sql.ErrNoRows, want: ErrNotFound},
		{name: "unique", err: execErr(s, "INSERT INTO users (login, first_seen) VALUES ('x', 1), ('x', 1)"), want: ErrConflict},
		{name: "not a constraint we map", err: execErr(s, "SELECT * FROM nope"), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate(tt.err)
			if tt.want == nil {
				if !errors.Is(got, tt.err) {
					t.Errorf("translate(%v): got %v; want it unchanged", tt.err, got)
				}
				return
			}
			if !errors.Is(got, tt.want) {
				t.Errorf("translate(%v): got %v; want %v", tt.err, got, tt.want)
			}
		})
	}
}

func execErr(s *Store, q string) error {
	_, err := s.db.Exec(q)
	return err
}
