package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// claimsText renders claims one per line: "fp login holder|refused how".
func claimsText(cs []KeyClaim) []string {
	var out []string
	for _, c := range cs {
		role := "refused"
		if c.Holder {
			role = "holder"
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %d", c.Fingerprint, c.Login, role, c.How, c.Since.Unix()))
	}
	return out
}

func TestUpdateKeyClaims(t *testing.T) {
	t0 := time.Unix(1000, 0).UTC()
	holder := func(fp, login, how string, at int64) KeyClaim {
		return KeyClaim{Fingerprint: fp, Login: login, Holder: true, How: how, Since: time.Unix(at, 0)}
	}
	refused := func(fp, login string, at int64) KeyClaim {
		return KeyClaim{Fingerprint: fp, Login: login, Since: time.Unix(at, 0)}
	}
	type step struct {
		put, drop []KeyClaim
		wantErr   error
	}
	tests := []struct {
		name  string
		steps []step
		want  []string
	}{
		{
			name:  "holder and a refused claim",
			steps: []step{{put: []KeyClaim{refused("SHA256:k", "alice", 2), holder("SHA256:k", "bob", KeyListed, 1)}}},
			want:  []string{"SHA256:k alice refused  2", "SHA256:k bob holder listed 1"},
		},
		{
			// The new holder comes first in put: the old one is demoted
			// before the new one is promoted anyway.
			name: "handed over in one update",
			steps: []step{
				{put: []KeyClaim{holder("SHA256:k", "bob", KeySigned, 1), refused("SHA256:k", "alice", 2)}},
				{put: []KeyClaim{holder("SHA256:k", "alice", KeyGiven, 3), refused("SHA256:k", "bob", 3)}},
			},
			want: []string{"SHA256:k alice holder given 3", "SHA256:k bob refused  3"},
		},
		{
			name: "two holders refused, nothing written",
			steps: []step{
				{put: []KeyClaim{holder("SHA256:k", "bob", KeySigned, 1)}},
				{put: []KeyClaim{refused("SHA256:j", "carol", 2), holder("SHA256:k", "alice", KeyListed, 2)}, wantErr: ErrConflict},
			},
			want: []string{"SHA256:k bob holder signed 1"},
		},
		{
			name: "dropped",
			steps: []step{
				{put: []KeyClaim{holder("SHA256:k", "bob", KeyListed, 1), refused("SHA256:k", "alice", 2), holder("SHA256:j", "alice", KeyListed, 1)}},
				{drop: []KeyClaim{{Fingerprint: "SHA256:k", Login: "alice"}, {Fingerprint: "SHA256:x", Login: "nobody"}}},
			},
			want: []string{"SHA256:j alice holder listed 1", "SHA256:k bob holder listed 1"},
		},
		{
			name:  "zero since is now",
			steps: []step{{put: []KeyClaim{{Fingerprint: "SHA256:k", Login: "bob", Holder: true, How: KeyListed}}}},
			want:  []string{fmt.Sprintf("SHA256:k bob holder listed %d", t0.Unix())},
		},
		{
			name:  "a holder needs a how",
			steps: []step{{put: []KeyClaim{{Fingerprint: "SHA256:k", Login: "bob", Holder: true, Since: t0}}, wantErr: errAny}},
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			s.now = func() time.Time { return t0 }
			ctx := context.Background()
			for i, st := range tt.steps {
				err := s.UpdateKeyClaims(ctx, st.put, st.drop)
				ok := err == nil
				if st.wantErr != nil {
					ok = err != nil && (st.wantErr == errAny || errors.Is(err, st.wantErr))
				}
				if !ok {
					t.Fatalf("step %d: got error %v; want %v", i, err, st.wantErr)
				}
			}
			cs, err := s.KeyClaims(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := claimsText(cs); !equalStrings(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// errAny stands for any error in a table.
var errAny = errors.New("any error")

// TestKeyClaimsMigration: a database of schema 6 (cached keys, no claims)
// opens with its keys kept and no claims, and claims can then be written.
func TestKeyClaimsMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	ctx := context.Background()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, migrationsUpTo(t, 6)); err != nil {
		t.Fatalf("migrate to 0006: %v", err)
	}
	for _, q := range []string{
		`INSERT INTO key_sets (login, fetched_at, checked_at) VALUES ('bob', 1, 1)`,
		`INSERT INTO keys (login, key) VALUES ('bob', '` + keyA + `')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	ks, err := s.KeySet(ctx, "bob")
	if err != nil || !equalStrings(ks.Keys, []string{keyA}) {
		t.Fatalf("KeySet after migration: %+v, %v; want bob's key kept", ks, err)
	}
	if cs, err := s.KeyClaims(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("KeyClaims after migration: %v, %v; want none", cs, err)
	}
	put := []KeyClaim{{Fingerprint: "SHA256:k", Login: "bob", Holder: true, How: KeySigned, Since: time.Unix(5, 0)}}
	if err := s.UpdateKeyClaims(ctx, put, nil); err != nil {
		t.Fatalf("UpdateKeyClaims: %v", err)
	}
	if cs, _ := s.KeyClaims(ctx); !equalStrings(claimsText(cs), []string{"SHA256:k bob holder signed 5"}) {
		t.Errorf("got %q", claimsText(cs))
	}
}
