package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRecordLogin(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("CET", 3600))
	t2 := t1.Add(90 * time.Minute)

	if err := s.RecordLogin(ctx, "bob", t1); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	if err := s.RecordLogin(ctx, "alice", t1); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	if err := s.RecordLogin(ctx, "alice", t2); err != nil {
		t.Fatalf("RecordLogin again: %v", err)
	}

	tests := []struct {
		name          string
		login         string
		wantFirstSeen time.Time
		wantLastLogin time.Time
	}{
		{name: "second login keeps first seen", login: "alice", wantFirstSeen: t1, wantLastLogin: t2},
		{name: "single login", login: "bob", wantFirstSeen: t1, wantLastLogin: t1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := s.User(ctx, tt.login)
			if err != nil {
				t.Fatalf("User: %v", err)
			}
			if u.Login != tt.login {
				t.Errorf("Login: got %q; want %q", u.Login, tt.login)
			}
			if !u.FirstSeen.Equal(tt.wantFirstSeen) {
				t.Errorf("FirstSeen: got %q; want %q", u.FirstSeen, tt.wantFirstSeen)
			}
			if !u.LastLogin.Equal(tt.wantLastLogin) {
				t.Errorf("LastLogin: got %q; want %q", u.LastLogin, tt.wantLastLogin)
			}
			if u.FirstSeen.Location() != time.UTC || u.LastLogin.Location() != time.UTC {
				t.Errorf("times not in UTC: %q, %q", u.FirstSeen, u.LastLogin)
			}
		})
	}

	users, err := s.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Login)
	}
	if want := []string{"alice", "bob"}; !equalStrings(got, want) {
		t.Errorf("Users: got %q; want %q", got, want)
	}
}

func TestRecordLoginZeroTimeIsNow(t *testing.T) {
	s := newStore(t)
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	s.now = func() time.Time { return now }
	ctx := context.Background()
	if err := s.RecordLogin(ctx, "alice", time.Time{}); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	u, err := s.User(ctx, "alice")
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if !u.LastLogin.Equal(now) || !u.FirstSeen.Equal(now) {
		t.Errorf("times: got %q, %q; want %q", u.FirstSeen, u.LastLogin, now)
	}
}

func TestUserErrors(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.User(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("User(nobody): got %v; want ErrNotFound", err)
	}
	if err := s.RecordLogin(ctx, "", time.Now()); err == nil {
		t.Error("RecordLogin(\"\"): got nil error")
	}
	if err := s.RecordLogin(ctx, "alice", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("RecordLogin(year 3000): got nil error; want out of range")
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if len(users) != 0 {
		t.Errorf("Users after failed writes: got %d users; want 0", len(users))
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLastWorkspace(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.LastWorkspace(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LastWorkspace of an unknown login: got %v; want ErrNotFound", err)
	}
	if err := s.RecordLogin(ctx, "alice", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LastWorkspace(ctx, "alice"); err != nil || got != "" {
		t.Fatalf("LastWorkspace before any attach: got %q, %v; want \"\"", got, err)
	}
	for _, ws := range []string{"web", "api"} {
		if err := s.SetLastWorkspace(ctx, "alice", ws); err != nil {
			t.Fatal(err)
		}
		if got, err := s.LastWorkspace(ctx, "alice"); err != nil || got != ws {
			t.Errorf("LastWorkspace: got %q, %v; want %q", got, err, ws)
		}
	}
	// A login seen first through SetLastWorkspace is created.
	if err := s.SetLastWorkspace(ctx, "bob", "x"); err != nil {
		t.Fatal(err)
	}
	if u, err := s.User(ctx, "bob"); err != nil || u.FirstSeen.IsZero() {
		t.Errorf("User(bob): got %+v, %v; want a first-seen time", u, err)
	}
}
