package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// accountUIDs returns login → uid for every account, failing the test if
// two logins share a uid or Accounts is not ordered by uid.
func accountUIDs(t *testing.T, s *Store) map[string]uint32 {
	t.Helper()
	as, err := s.Accounts(context.Background())
	if err != nil {
		t.Fatalf("Accounts: %v", err)
	}
	got := make(map[string]uint32, len(as))
	owner := make(map[uint32]string, len(as))
	for i, a := range as {
		if o, ok := owner[a.UID]; ok {
			t.Errorf("uid %d given to both %q and %q", a.UID, o, a.Login)
		}
		if i > 0 && as[i-1].UID >= a.UID {
			t.Errorf("Accounts not ordered by uid: %d before %d", as[i-1].UID, a.UID)
		}
		owner[a.UID], got[a.Login] = a.Login, a.UID
	}
	return got
}

// TestAccountUIDLowestFree runs one sequence of calls on one store: each
// step sees the uids the steps before it gave.
func TestAccountUIDLowestFree(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	tests := []struct {
		name        string
		login       string
		lo, hi      uint32
		wantUID     uint32
		wantCreated bool
		wantErr     error
	}{
		{name: "first login gets lo", login: "a", lo: 200, hi: 299, wantUID: 200, wantCreated: true},
		{name: "second login gets the next", login: "b", lo: 200, hi: 299, wantUID: 201, wantCreated: true},
		{name: "known login keeps its uid", login: "a", lo: 200, hi: 299, wantUID: 200},
		{name: "range starting lower than earlier uids", login: "c", lo: 100, hi: 299, wantUID: 100, wantCreated: true},
		{name: "lo free below taken uids", login: "d", lo: 199, hi: 299, wantUID: 199, wantCreated: true},
		{name: "skips a run of taken uids", login: "e", lo: 199, hi: 299, wantUID: 202, wantCreated: true},
		{name: "fills the gap above lo", login: "f", lo: 100, hi: 299, wantUID: 101, wantCreated: true},
		{name: "lowest gap in a wider range", login: "g", lo: 1, hi: 1000, wantUID: 1, wantCreated: true},
		{name: "range changed: login keeps its uid outside it", login: "b", lo: 1000, hi: 1999, wantUID: 201},
		{name: "new login in the changed range", login: "h", lo: 1000, hi: 1999, wantUID: 1000, wantCreated: true},
		{name: "only the top of the range is free", login: "i", lo: 200, hi: 203, wantUID: 203, wantCreated: true},
		{name: "range of one taken uid", login: "j", lo: 200, hi: 200, wantErr: ErrUIDRangeExhausted},
		{name: "range of one free uid", login: "j", lo: 250, hi: 250, wantUID: 250, wantCreated: true},
		{name: "highest allowed uid", login: "k", lo: math.MaxUint32 - 1, hi: math.MaxUint32 - 1, wantUID: math.MaxUint32 - 1, wantCreated: true},
	}
	want := map[string]uint32{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uid, created, err := s.AccountUID(ctx, tt.login, tt.lo, tt.hi)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("AccountUID(%q, %d, %d): got %d, %v; want %v", tt.login, tt.lo, tt.hi, uid, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("AccountUID(%q, %d, %d): %v", tt.login, tt.lo, tt.hi, err)
			}
			if uid != tt.wantUID || created != tt.wantCreated {
				t.Errorf("AccountUID(%q, %d, %d): got %d, created %t; want %d, created %t",
					tt.login, tt.lo, tt.hi, uid, created, tt.wantUID, tt.wantCreated)
			}
			want[tt.login] = tt.wantUID
		})
	}
	got := accountUIDs(t, s)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Accounts: got %v; want %v", got, want)
	}
}

func TestAccountUIDStableAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	want := map[string]uint32{}
	for _, login := range []string{"carol", "alice", "bob"} {
		uid, _, err := s.AccountUID(ctx, login, 20000, 29999)
		if err != nil {
			t.Fatalf("AccountUID(%q): %v", login, err)
		}
		want[login] = uid
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	for _, login := range []string{"alice", "bob", "carol"} {
		uid, created, err := s.AccountUID(ctx, login, 20000, 29999)
		if err != nil {
			t.Fatalf("AccountUID(%q) after reopen: %v", login, err)
		}
		if uid != want[login] || created {
			t.Errorf("AccountUID(%q) after reopen: got %d, created %t; want %d, created false", login, uid, created, want[login])
		}
	}
	uid, created, err := s.AccountUID(ctx, "dave", 20000, 29999)
	if err != nil || uid != 20003 || !created {
		t.Errorf("AccountUID(dave) after reopen: got %d, created %t, %v; want 20003, created true", uid, created, err)
	}
}

// TestAccountUIDNeverReused: a login that no longer logs in keeps its row,
// and no write path, not even raw SQL, can free its uid for another login.
func TestAccountUIDNeverReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer func() { s.Close() }()
	for _, login := range []string{"a", "b"} {
		if _, _, err := s.AccountUID(ctx, login, 20000, 29999); err != nil {
			t.Fatalf("AccountUID(%q): %v", login, err)
		}
	}
	before := accountUIDs(t, s)
	if before["a"] != 20000 {
		t.Fatalf("uid of a: got %d; want 20000", before["a"])
	}

	// "a" leaves the allowlist: nothing asks for it again. The schema
	// refuses every way of freeing its uid.
	tests := []struct {
		name string
		sql  string
	}{
		{name: "delete", sql: `DELETE FROM accounts WHERE login = 'a'`},
		{name: "delete all", sql: `DELETE FROM accounts`},
		{name: "move the uid", sql: `UPDATE accounts SET uid = 29999 WHERE login = 'a'`},
		{name: "rename the login", sql: `UPDATE accounts SET login = 'c' WHERE login = 'a'`},
		{name: "replace by uid", sql: `INSERT OR REPLACE INTO accounts (login, uid, created_at) VALUES ('c', 20000, 1)`},
		{name: "replace by login", sql: `REPLACE INTO accounts (login, uid, created_at) VALUES ('a', 29999, 1)`},
		{name: "upsert", sql: `INSERT INTO accounts (login, uid, created_at) VALUES ('a', 29999, 1) ON CONFLICT (login) DO UPDATE SET uid = excluded.uid`},
		{name: "uid 0", sql: `INSERT INTO accounts (login, uid, created_at) VALUES ('root', 0, 1)`},
		{name: "uid above 32 bits", sql: `INSERT INTO accounts (login, uid, created_at) VALUES ('big', 4294967296, 1)`},
		{name: "empty login", sql: `INSERT INTO accounts (login, uid, created_at) VALUES ('', 5, 1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.db.ExecContext(ctx, tt.sql); err == nil {
				t.Errorf("%s: got nil error; want the schema to refuse it", tt.sql)
			}
		})
	}
	if got := accountUIDs(t, s); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("Accounts after refused writes: got %v; want %v", got, before)
	}

	check := func(name string) {
		t.Helper()
		uid, created, err := s.AccountUID(ctx, "c", 20000, 29999)
		if err != nil || uid != 20002 {
			t.Errorf("%s: AccountUID(c): got %d, created %t, %v; want 20002, not a's 20000 or b's 20001", name, uid, created, err)
		}
	}
	check("same store")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if s, err = Open(path); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	check("after reopen")
	if uid, created, err := s.AccountUID(ctx, "a", 20000, 29999); err != nil || uid != 20000 || created {
		t.Errorf("AccountUID(a) on its return: got %d, created %t, %v; want 20000, created false", uid, created, err)
	}
}

func TestAccountUIDRangeExhausted(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, login := range []string{"a", "b"} {
		if _, _, err := s.AccountUID(ctx, login, 20000, 20001); err != nil {
			t.Fatalf("AccountUID(%q): %v", login, err)
		}
	}
	uid, created, err := s.AccountUID(ctx, "c", 20000, 20001)
	if !errors.Is(err, ErrUIDRangeExhausted) {
		t.Fatalf("AccountUID(c) in a full range: got %d, created %t, %v; want ErrUIDRangeExhausted", uid, created, err)
	}
	if uid != 0 || created {
		t.Errorf("AccountUID(c) in a full range: got %d, created %t; want 0, created false", uid, created)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, `account uid "c": `) || !strings.Contains(msg, "20000-20001") {
		t.Errorf("error: got %q; want the operation, login and range in it", msg)
	}
	got := accountUIDs(t, s)
	if want := map[string]uint32{"a": 20000, "b": 20001}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Accounts after exhaustion: got %v; want %v", got, want)
	}
	// The failure reserved nothing: c starts afresh in a wider range.
	if uid, created, err := s.AccountUID(ctx, "c", 20000, 20002); err != nil || uid != 20002 || !created {
		t.Errorf("AccountUID(c) in a wider range: got %d, created %t, %v; want 20002, created true", uid, created, err)
	}
}

func TestAccountUIDInvalidArguments(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, _, err := s.AccountUID(ctx, "known", 100, 199); err != nil {
		t.Fatalf("AccountUID: %v", err)
	}
	tests := []struct {
		name    string
		login   string
		lo, hi  uint32
		wantMsg string
	}{
		{name: "empty login", login: "", lo: 100, hi: 199, wantMsg: "empty login"},
		{name: "low above high", login: "alice", lo: 200, hi: 199, wantMsg: "empty range 200-199"},
		{name: "uid 0", login: "alice", lo: 0, hi: 199, wantMsg: "uid 0 (root)"},
		{name: "uid 0 alone", login: "alice", lo: 0, hi: 0, wantMsg: "uid 0 (root)"},
		{name: "(uid_t)-1", login: "alice", lo: 100, hi: math.MaxUint32, wantMsg: "uid 4294967295"},
		{name: "known login, bad range", login: "known", lo: 200, hi: 100, wantMsg: "empty range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uid, created, err := s.AccountUID(ctx, tt.login, tt.lo, tt.hi)
			if err == nil {
				t.Fatalf("AccountUID(%q, %d, %d): got %d, created %t; want an error", tt.login, tt.lo, tt.hi, uid, created)
			}
			if !strings.HasPrefix(err.Error(), "account uid") || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error: got %q; want it to start with %q and contain %q", err, "account uid", tt.wantMsg)
			}
		})
	}
	if got := accountUIDs(t, s); len(got) != 1 {
		t.Errorf("Accounts after refused calls: got %v; want only known", got)
	}
}

func TestAccountsCreatedAt(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.FixedZone("CEST", 7200))
	now := t0
	s.now = func() time.Time { return now }
	for _, login := range []string{"bob", "alice"} {
		if _, _, err := s.AccountUID(ctx, login, 500, 599); err != nil {
			t.Fatalf("AccountUID(%q): %v", login, err)
		}
		now = now.Add(time.Hour)
	}
	// A later call for a known login changes nothing.
	if _, _, err := s.AccountUID(ctx, "bob", 500, 599); err != nil {
		t.Fatalf("AccountUID(bob) again: %v", err)
	}
	got, err := s.Accounts(ctx)
	if err != nil {
		t.Fatalf("Accounts: %v", err)
	}
	want := []Account{
		{Login: "bob", UID: 500, CreatedAt: t0.UTC()},
		{Login: "alice", UID: 501, CreatedAt: t0.Add(time.Hour).UTC()},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Accounts: got %v; want %v", got, want)
	}
	for _, a := range got {
		if a.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt of %q not in UTC: %q", a.Login, a.CreatedAt)
		}
	}
}

// TestAccountUIDConcurrent: 16 logins, each asked for by two goroutines
// over two stores on one file (standing in for two processes), many times.
// Every login ends with one uid, seen identically by every call, created by
// exactly one call; no two logins share one; and the uids are the lowest 16.
func TestAccountUIDConcurrent(t *testing.T) {
	a, b := openPair(t)

	const logins, rounds, lo, hi = 16, 10, 20000, 29999
	type result struct {
		uid     uint32
		created bool
		err     error
	}
	ctx := context.Background()
	start := make(chan struct{})
	results := make([][]result, 2*logins) // one slice per goroutine
	var wg sync.WaitGroup
	for g := range 2 * logins {
		s := []*Store{a, b}[g%2]
		login := fmt.Sprintf("user%02d", g/2)
		wg.Add(1)
		go func() { // ends after rounds calls
			defer wg.Done()
			<-start
			for range rounds {
				uid, created, err := s.AccountUID(ctx, login, lo, hi)
				results[g] = append(results[g], result{uid, created, err})
			}
		}()
	}
	close(start)
	wg.Wait()

	owner := map[uint32]string{}
	for l := range logins {
		login := fmt.Sprintf("user%02d", l)
		var uid uint32
		creations := 0
		for _, r := range append(results[2*l], results[2*l+1]...) {
			if r.err != nil {
				t.Errorf("AccountUID(%q): %v", login, r.err)
				continue
			}
			if uid == 0 {
				uid = r.uid
			}
			if r.uid != uid {
				t.Errorf("AccountUID(%q): got %d and %d", login, uid, r.uid)
			}
			if r.created {
				creations++
			}
		}
		if creations != 1 {
			t.Errorf("AccountUID(%q): created %d times; want once", login, creations)
		}
		if o, ok := owner[uid]; ok {
			t.Errorf("uid %d given to both %q and %q", uid, o, login)
		}
		owner[uid] = login
		if uid < lo || uid >= lo+logins {
			t.Errorf("AccountUID(%q): got %d; want one of the lowest %d in the range", login, uid, logins)
		}
	}
	if got := accountUIDs(t, b); len(got) != logins {
		t.Errorf("Accounts: got %d; want %d", len(got), logins)
	}
}

// migrationsUpTo returns the embedded migrations 1..version, to build a
// database as an older warren left it.
func migrationsUpTo(t *testing.T, version int) fstest.MapFS {
	t.Helper()
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	if len(ms) < version {
		t.Fatalf("only %d migrations; want at least %d", len(ms), version)
	}
	fsys := fstest.MapFS{}
	for _, m := range ms[:version] {
		fsys["migrations/"+m.name] = &fstest.MapFile{Data: []byte(m.sql)}
	}
	return fsys
}

// TestUpgradeFromSchema3: a database written at schema version 3 (before
// accounts) opens, gains the accounts table empty, and keeps its data.
func TestUpgradeFromSchema3(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	ctx := context.Background()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, migrationsUpTo(t, 3)); err != nil {
		db.Close()
		t.Fatalf("migrate to 3: %v", err)
	}
	for _, q := range []string{
		`INSERT INTO users (login, first_seen, last_login, last_workspace) VALUES ('alice', 1, 2, 'web')`,
		`INSERT INTO sessions (login, workspace, id, state, created_at, updated_at, cols, rows)
			VALUES ('alice', 'web', 'id-1', 'stopped', 1, 2, 80, 24)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open a schema 3 database: %v", err)
	}
	defer s.Close()
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if ms, _ := loadMigrations(migrationFS); version != len(ms) {
		t.Errorf("user_version after upgrade: got %d; want %d", version, len(ms))
	}
	if as, err := s.Accounts(ctx); err != nil || len(as) != 0 {
		t.Errorf("Accounts after upgrade: got %v, %v; want none", as, err)
	}
	if ws, err := s.LastWorkspace(ctx, "alice"); err != nil || ws != "web" {
		t.Errorf("LastWorkspace after upgrade: got %q, %v; want %q", ws, err, "web")
	}
	if sess, err := s.SessionFor(ctx, "alice", "web"); err != nil || sess.ID != "id-1" || sess.Cols != 80 {
		t.Errorf("SessionFor after upgrade: got %+v, %v; want id-1 at 80 columns", sess, err)
	}
	if uid, created, err := s.AccountUID(ctx, "alice", 20000, 29999); err != nil || uid != 20000 || !created {
		t.Errorf("AccountUID after upgrade: got %d, created %t, %v; want 20000, created true", uid, created, err)
	}
}
