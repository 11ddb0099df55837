package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestSessionsRoundTrip(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	put := []Session{
		{Login: "bob", Workspace: "web", ID: "id-3", State: SessionRunning, Cols: 120, Rows: 40, CreatedAt: t0, UpdatedAt: t0},
		{Login: "alice", Workspace: "web", ID: "id-2", State: SessionExited, ExitCode: 3, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)},
		{Login: "alice", Workspace: "api", ID: "id-1", State: SessionStopped, CreatedAt: t0, UpdatedAt: t0},
		{Login: "alice", Workspace: "cli", ID: "id-4", State: SessionFailed, ExitCode: 127, CreatedAt: t0, UpdatedAt: t0,
			Error: "cannot start nosuchprog: not found on the server's PATH"},
	}
	for _, sess := range put {
		if err := s.PutSession(ctx, sess); err != nil {
			t.Fatalf("PutSession: %v", err)
		}
	}
	for _, want := range put {
		got, err := s.SessionFor(ctx, want.Login, want.Workspace)
		if err != nil {
			t.Fatalf("SessionFor: %v", err)
		}
		if got != want {
			t.Errorf("SessionFor(%s, %s): got %+v; want %+v", want.Login, want.Workspace, got, want)
		}
	}

	tests := []struct {
		name  string
		login string
		want  []string
	}{
		{name: "all ordered by login then workspace", login: "", want: []string{"alice/api", "alice/cli", "alice/web", "bob/web"}},
		{name: "one login", login: "alice", want: []string{"alice/api", "alice/cli", "alice/web"}},
		{name: "unknown login", login: "carol", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := s.Sessions(ctx, tt.login)
			if err != nil {
				t.Fatalf("Sessions: %v", err)
			}
			var got []string
			for _, sess := range ss {
				got = append(got, sess.Login+"/"+sess.Workspace)
			}
			if !equalStrings(got, tt.want) {
				t.Errorf("Sessions(%q): got %q; want %q", tt.login, got, tt.want)
			}
		})
	}
}

func TestPutSessionUpserts(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	first := Session{Login: "alice", Workspace: "web", ID: "id-1", State: SessionRunning, CreatedAt: t0, UpdatedAt: t0}
	if err := s.PutSession(ctx, first); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	second := first
	second.State, second.ExitCode, second.UpdatedAt = SessionExited, 1, t0.Add(time.Minute)
	if err := s.PutSession(ctx, second); err != nil {
		t.Fatalf("PutSession update: %v", err)
	}
	got, err := s.SessionFor(ctx, "alice", "web")
	if err != nil {
		t.Fatalf("SessionFor: %v", err)
	}
	if got != second {
		t.Errorf("after update: got %+v; want %+v", got, second)
	}
	ss, err := s.Sessions(ctx, "")
	if err != nil || len(ss) != 1 {
		t.Errorf("Sessions: got %d rows, %v; want 1 row", len(ss), err)
	}
}

func TestPutSessionDefaultsTimes(t *testing.T) {
	s := newStore(t)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	ctx := context.Background()
	if err := s.PutSession(ctx, Session{Login: "alice", Workspace: "web", ID: "id-1", State: SessionRunning}); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	got, err := s.SessionFor(ctx, "alice", "web")
	if err != nil {
		t.Fatalf("SessionFor: %v", err)
	}
	if !got.CreatedAt.Equal(now) || !got.UpdatedAt.Equal(now) {
		t.Errorf("times: got %q, %q; want %q", got.CreatedAt, got.UpdatedAt, now)
	}
}

func TestSessionErrors(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ok := Session{Login: "alice", Workspace: "web", ID: "id-1", State: SessionRunning}
	if err := s.PutSession(ctx, ok); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	tests := []struct {
		name    string
		sess    Session
		wantErr error // nil: any error
	}{
		{name: "id owned by another workspace", sess: Session{Login: "alice", Workspace: "api", ID: "id-1", State: SessionRunning}, wantErr: ErrConflict},
		{name: "id owned by another login", sess: Session{Login: "bob", Workspace: "web", ID: "id-1", State: SessionRunning}, wantErr: ErrConflict},
		{name: "unknown state", sess: Session{Login: "alice", Workspace: "x", ID: "id-9", State: "zombie"}},
		{name: "no id", sess: Session{Login: "alice", Workspace: "x", State: SessionRunning}},
		{name: "no workspace", sess: Session{Login: "alice", ID: "id-9", State: SessionRunning}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.PutSession(ctx, tt.sess)
			if err == nil {
				t.Fatal("PutSession: got nil error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("PutSession: got %v; want %v", err, tt.wantErr)
			}
		})
	}
	ss, err := s.Sessions(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].ID != "id-1" || ss[0].Workspace != "web" {
		t.Errorf("Sessions after refused writes: got %+v; want only alice/web", ss)
	}
}

func TestDeleteSession(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, sess := range []Session{
		{Login: "alice", Workspace: "web", ID: "id-1", State: SessionRunning},
		{Login: "alice", Workspace: "api", ID: "id-2", State: SessionRunning},
	} {
		if err := s.PutSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(ctx, "alice", "web"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := s.SessionFor(ctx, "alice", "web"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SessionFor deleted: got %v; want ErrNotFound", err)
	}
	if _, err := s.SessionFor(ctx, "alice", "api"); err != nil {
		t.Errorf("SessionFor sibling: got %v; want it kept", err)
	}
	if err := s.DeleteSession(ctx, "alice", "web"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteSession twice: got %v; want ErrNotFound", err)
	}
	// The id is free again once its session is gone.
	if err := s.PutSession(ctx, Session{Login: "alice", Workspace: "new", ID: "id-1", State: SessionRunning}); err != nil {
		t.Errorf("PutSession reusing a deleted id: %v", err)
	}
}

// TestUpgradeFromSchema4: the sessions table rebuilt by 0005 keeps every
// row and column, takes the failed state and its reason, and still
// refuses an unknown state and a conversation id used twice.
func TestUpgradeFromSchema4(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	ctx := context.Background()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, migrationsUpTo(t, 4)); err != nil {
		db.Close()
		t.Fatalf("migrate to 4: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions (login, workspace, id, state, exit_code, created_at, updated_at, cols, rows)
		VALUES ('alice', 'web', 'id-1', 'exited', 3, 1, 2, 120, 40)`); err != nil {
		db.Close()
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open a schema 4 database: %v", err)
	}
	defer s.Close()
	got, err := s.SessionFor(ctx, "alice", "web")
	want := Session{Login: "alice", Workspace: "web", ID: "id-1", State: SessionExited, ExitCode: 3, Cols: 120, Rows: 40,
		CreatedAt: time.Unix(0, 1).UTC(), UpdatedAt: time.Unix(0, 2).UTC()}
	if err != nil || got != want {
		t.Errorf("SessionFor after upgrade: got %+v, %v; want %+v", got, err, want)
	}
	failed := Session{Login: "alice", Workspace: "cli", ID: "id-2", State: SessionFailed, ExitCode: 126, Error: "cannot start x: not executable"}
	if err := s.PutSession(ctx, failed); err != nil {
		t.Fatalf("PutSession failed: %v", err)
	}
	if got, err := s.SessionFor(ctx, "alice", "cli"); err != nil || got.State != SessionFailed || got.Error != failed.Error {
		t.Errorf("SessionFor failed: got %+v, %v; want state failed with its error", got, err)
	}
	for _, q := range []string{
		`INSERT INTO sessions (login, workspace, id, state, created_at, updated_at) VALUES ('bob', 'x', 'id-3', 'zombie', 1, 1)`,
		`INSERT INTO sessions (login, workspace, id, state, created_at, updated_at) VALUES ('bob', 'x', 'id-1', 'running', 1, 1)`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: got nil error", q)
		}
	}
}
