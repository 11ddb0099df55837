package store

import (
	"context"
	"errors"
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
		{name: "all ordered by login then workspace", login: "", want: []string{"alice/api", "alice/web", "bob/web"}},
		{name: "one login", login: "alice", want: []string{"alice/api", "alice/web"}},
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
