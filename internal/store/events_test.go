package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func TestEvents(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	add := []Event{
		{At: t0, Kind: "login.accepted", Login: "alice", Remote: "10.0.0.1:5000", Fingerprint: "SHA256:aaa", Detail: "first"},
		{At: t0.Add(time.Minute), Kind: "login.refused", Login: "bob", Remote: "10.0.0.2:5000", Detail: "not allowlisted"},
		{At: t0.Add(2 * time.Minute), Kind: "login.accepted", Login: "bob", Fingerprint: "SHA256:bbb"},
		{At: t0.Add(2 * time.Minute), Kind: "keys.changed", Login: "alice"}, // same instant: insertion order breaks the tie
		{At: t0.Add(3 * time.Minute), Kind: "login.accepted", Login: "alice"},
		{At: t0.Add(4 * time.Minute), Kind: "admin.kick", Login: "bob", Actor: "alice", Detail: "connections=1"},
	}
	for _, e := range add {
		if err := s.AddEvent(ctx, e); err != nil {
			t.Fatalf("AddEvent: %v", err)
		}
	}

	tests := []struct {
		name   string
		filter EventFilter
		want   []string // Kind/Login of each event, newest first
	}{
		{name: "all newest first", filter: EventFilter{}, want: []string{"admin.kick/bob", "login.accepted/alice", "keys.changed/alice", "login.accepted/bob", "login.refused/bob", "login.accepted/alice"}},
		{name: "by login", filter: EventFilter{Login: "bob"}, want: []string{"admin.kick/bob", "login.accepted/bob", "login.refused/bob"}},
		{name: "by actor", filter: EventFilter{Actor: "alice"}, want: []string{"admin.kick/bob"}},
		{name: "by kind", filter: EventFilter{Kind: "login.accepted"}, want: []string{"login.accepted/alice", "login.accepted/bob", "login.accepted/alice"}},
		{name: "since is inclusive", filter: EventFilter{Since: t0.Add(2 * time.Minute)}, want: []string{"admin.kick/bob", "login.accepted/alice", "keys.changed/alice", "login.accepted/bob"}},
		{name: "combined", filter: EventFilter{Since: t0.Add(time.Second), Login: "alice", Kind: "login.accepted"}, want: []string{"login.accepted/alice"}},
		{name: "limit", filter: EventFilter{Limit: 2}, want: []string{"admin.kick/bob", "login.accepted/alice"}},
		{name: "no match", filter: EventFilter{Login: "mallory"}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := s.Events(ctx, tt.filter)
			if err != nil {
				t.Fatalf("Events: %v", err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Kind+"/"+e.Login)
			}
			if !equalStrings(got, tt.want) {
				t.Errorf("Events(%+v): got %q; want %q", tt.filter, got, tt.want)
			}
		})
	}

	// Every field round-trips.
	es, err := s.Events(ctx, EventFilter{Kind: "login.accepted", Login: "alice", Limit: 10})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	got := es[len(es)-1]
	want := add[0]
	if got.ID == 0 {
		t.Errorf("ID: got 0; want an assigned id")
	}
	want.ID = got.ID
	if got != want {
		t.Errorf("event: got %+v; want %+v", got, want)
	}
	es, err = s.Events(ctx, EventFilter{Kind: "admin.kick"})
	if err != nil || len(es) != 1 {
		t.Fatalf("Events(admin.kick): got %v, %v; want one", es, err)
	}
	want = add[5]
	want.ID = es[0].ID
	if es[0] != want {
		t.Errorf("event with an actor: got %+v; want %+v", es[0], want)
	}
}

// TestEventActorMigration: events written before 0005 read back with no
// actor, and new ones keep theirs, in a database migrated forward.
func TestEventActorMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	ctx := context.Background()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, migrationsUpTo(t, 4)); err != nil {
		t.Fatalf("migrate to 0004: %v", err)
	}
	if _, err := db.Exec(`INSERT INTO events (at, kind, login) VALUES (1, 'admin.kick', 'bob')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if err := s.AddEvent(ctx, Event{At: time.Unix(2, 0), Kind: "admin.kick", Login: "bob", Actor: "alice"}); err != nil {
		t.Fatalf("AddEvent: %v", err)
	}
	es, err := s.Events(ctx, EventFilter{Kind: "admin.kick"})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Login+"/"+e.Actor)
	}
	if want := []string{"bob/alice", "bob/"}; !equalStrings(got, want) {
		t.Errorf("events: got %q; want %q", got, want)
	}
}

func TestAddEventZeroTimeIsNow(t *testing.T) {
	s := newStore(t)
	now := time.Date(2026, 4, 1, 10, 0, 0, 123, time.UTC)
	s.now = func() time.Time { return now }
	ctx := context.Background()
	if err := s.AddEvent(ctx, Event{Kind: "server.start"}); err != nil {
		t.Fatalf("AddEvent: %v", err)
	}
	es, err := s.Events(ctx, EventFilter{})
	if err != nil || len(es) != 1 {
		t.Fatalf("Events: got %d events, %v; want 1", len(es), err)
	}
	if !es[0].At.Equal(now) {
		t.Errorf("At: got %q; want %q", es[0].At, now)
	}
	if err := s.AddEvent(ctx, Event{}); err == nil {
		t.Error("AddEvent without kind: got nil error")
	}
}

func TestEventsDefaultLimit(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := range defaultEventLimit + 5 {
		if err := s.AddEvent(ctx, Event{At: t0.Add(time.Duration(i) * time.Second), Kind: "k", Detail: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := s.Events(ctx, EventFilter{})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if len(es) != defaultEventLimit {
		t.Fatalf("Events: got %d; want %d", len(es), defaultEventLimit)
	}
	if got, want := es[0].Detail, fmt.Sprint(defaultEventLimit+4); got != want {
		t.Errorf("newest: got %q; want %q", got, want)
	}
}

func TestPruneEvents(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		if err := s.AddEvent(ctx, Event{At: t0.Add(time.Duration(i) * time.Hour), Kind: "k", Detail: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name        string
		before      time.Time
		wantDeleted int64
		wantLeft    []string
	}{
		{name: "zero prunes nothing", before: time.Time{}, wantDeleted: 0, wantLeft: []string{"4", "3", "2", "1", "0"}},
		{name: "strictly before", before: t0.Add(2 * time.Hour), wantDeleted: 2, wantLeft: []string{"4", "3", "2"}},
		{name: "again is a no-op", before: t0.Add(2 * time.Hour), wantDeleted: 0, wantLeft: []string{"4", "3", "2"}},
		{name: "everything", before: t0.Add(24 * time.Hour), wantDeleted: 3, wantLeft: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.PruneEvents(ctx, tt.before)
			if err != nil {
				t.Fatalf("PruneEvents: %v", err)
			}
			if n != tt.wantDeleted {
				t.Errorf("deleted: got %d; want %d", n, tt.wantDeleted)
			}
			es, err := s.Events(ctx, EventFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Detail)
			}
			if !equalStrings(got, tt.wantLeft) {
				t.Errorf("left: got %q; want %q", got, tt.wantLeft)
			}
		})
	}
}
