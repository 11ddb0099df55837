package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

const (
	keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAA"
	keyB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB"
	keyC = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYCCCC"
)

func TestReplaceKeysChanged(t *testing.T) {
	t0 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		fetchErr    string // if set, RecordFetchError instead of ReplaceKeys
		keys        []string
		wantChanged bool
	}
	tests := []struct {
		name     string
		steps    []step
		wantKeys []string
	}{
		{
			name:     "first save is not a change",
			steps:    []step{{keys: []string{keyB, keyA}}},
			wantKeys: []string{keyA, keyB},
		},
		{
			name:     "same set in another order with duplicates",
			steps:    []step{{keys: []string{keyA, keyB}}, {keys: []string{keyB, keyA, keyB}}},
			wantKeys: []string{keyA, keyB},
		},
		{
			name:     "key added",
			steps:    []step{{keys: []string{keyA}}, {keys: []string{keyA, keyC}, wantChanged: true}},
			wantKeys: []string{keyC, keyA}, // sorted bytewise
		},
		{
			name:     "key removed",
			steps:    []step{{keys: []string{keyA, keyC}}, {keys: []string{keyC}, wantChanged: true}},
			wantKeys: []string{keyC},
		},
		{
			name:     "emptied",
			steps:    []step{{keys: []string{keyA}}, {keys: nil, wantChanged: true}},
			wantKeys: nil,
		},
		{
			name:     "empty then empty",
			steps:    []step{{keys: nil}, {keys: []string{}}},
			wantKeys: nil,
		},
		{
			name:     "first success after failures is not a change",
			steps:    []step{{fetchErr: "timeout"}, {keys: []string{keyA}}},
			wantKeys: []string{keyA},
		},
		{
			name:     "change across a failure",
			steps:    []step{{keys: []string{keyA}}, {fetchErr: "503"}, {keys: []string{keyB}, wantChanged: true}},
			wantKeys: []string{keyB},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			ctx := context.Background()
			var last time.Time
			for i, st := range tt.steps {
				at := t0.Add(time.Duration(i) * time.Minute)
				if st.fetchErr != "" {
					if err := s.RecordFetchError(ctx, "alice", st.fetchErr, at); err != nil {
						t.Fatalf("step %d: RecordFetchError: %v", i, err)
					}
					continue
				}
				changed, err := s.ReplaceKeys(ctx, "alice", st.keys, at)
				if err != nil {
					t.Fatalf("step %d: ReplaceKeys: %v", i, err)
				}
				if changed != st.wantChanged {
					t.Errorf("step %d: changed: got %v; want %v", i, changed, st.wantChanged)
				}
				last = at
			}
			ks, err := s.KeySet(ctx, "alice")
			if err != nil {
				t.Fatalf("KeySet: %v", err)
			}
			if !equalStrings(ks.Keys, tt.wantKeys) {
				t.Errorf("Keys: got %q; want %q", ks.Keys, tt.wantKeys)
			}
			if !ks.FetchedAt.Equal(last) || !ks.CheckedAt.Equal(last) {
				t.Errorf("FetchedAt, CheckedAt: got %q, %q; want %q", ks.FetchedAt, ks.CheckedAt, last)
			}
			if ks.LastError != "" {
				t.Errorf("LastError: got %q; want %q", ks.LastError, "")
			}
		})
	}
}

func TestRecordFetchErrorKeepsKeys(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	fetched := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	failed := fetched.Add(time.Hour)
	if _, err := s.ReplaceKeys(ctx, "alice", []string{keyA, keyB}, fetched); err != nil {
		t.Fatalf("ReplaceKeys: %v", err)
	}
	if err := s.RecordFetchError(ctx, "alice", "github: 503", failed); err != nil {
		t.Fatalf("RecordFetchError: %v", err)
	}
	ks, err := s.KeySet(ctx, "alice")
	if err != nil {
		t.Fatalf("KeySet: %v", err)
	}
	if want := []string{keyA, keyB}; !equalStrings(ks.Keys, want) {
		t.Errorf("Keys: got %q; want %q", ks.Keys, want)
	}
	if !ks.FetchedAt.Equal(fetched) {
		t.Errorf("FetchedAt: got %q; want %q", ks.FetchedAt, fetched)
	}
	if !ks.CheckedAt.Equal(failed) {
		t.Errorf("CheckedAt: got %q; want %q", ks.CheckedAt, failed)
	}
	if ks.LastError != "github: 503" {
		t.Errorf("LastError: got %q; want %q", ks.LastError, "github: 503")
	}

	// A later success clears the error.
	if _, err := s.ReplaceKeys(ctx, "alice", []string{keyA, keyB}, failed.Add(time.Minute)); err != nil {
		t.Fatalf("ReplaceKeys: %v", err)
	}
	if ks, err = s.KeySet(ctx, "alice"); err != nil {
		t.Fatalf("KeySet: %v", err)
	}
	if ks.LastError != "" {
		t.Errorf("LastError after success: got %q; want %q", ks.LastError, "")
	}
}

func TestRecordFetchErrorNeverFetched(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.KeySet(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("KeySet before any attempt: got %v; want ErrNotFound", err)
	}
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	if err := s.RecordFetchError(ctx, "bob", "", at); err != nil {
		t.Fatalf("RecordFetchError: %v", err)
	}
	ks, err := s.KeySet(ctx, "bob")
	if err != nil {
		t.Fatalf("KeySet: %v", err)
	}
	if len(ks.Keys) != 0 || !ks.FetchedAt.IsZero() {
		t.Errorf("got keys %q fetched %q; want none, never", ks.Keys, ks.FetchedAt)
	}
	if !ks.CheckedAt.Equal(at) {
		t.Errorf("CheckedAt: got %q; want %q", ks.CheckedAt, at)
	}
	if ks.LastError != "unknown error" {
		t.Errorf("LastError: got %q; want %q", ks.LastError, "unknown error")
	}
}

func TestKeySets(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.ReplaceKeys(ctx, "carol", []string{keyC}, at); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordFetchError(ctx, "bob", "404", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceKeys(ctx, "alice", []string{keyB, keyA}, at); err != nil {
		t.Fatal(err)
	}
	sets, err := s.KeySets(ctx)
	if err != nil {
		t.Fatalf("KeySets: %v", err)
	}
	tests := []struct {
		name      string
		wantLogin string
		wantKeys  []string
		wantError string
	}{
		{name: "alice", wantLogin: "alice", wantKeys: []string{keyA, keyB}},
		{name: "bob", wantLogin: "bob", wantKeys: nil, wantError: "404"},
		{name: "carol", wantLogin: "carol", wantKeys: []string{keyC}},
	}
	if len(sets) != len(tests) {
		t.Fatalf("KeySets: got %d sets; want %d", len(sets), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sets[i]
			if got.Login != tt.wantLogin {
				t.Errorf("Login: got %q; want %q", got.Login, tt.wantLogin)
			}
			if !equalStrings(got.Keys, tt.wantKeys) {
				t.Errorf("Keys: got %q; want %q", got.Keys, tt.wantKeys)
			}
			if got.LastError != tt.wantError {
				t.Errorf("LastError: got %q; want %q", got.LastError, tt.wantError)
			}
		})
	}
}
