package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

func TestConcurrentWriters(t *testing.T) {
	// Two stores on one file stand in for two processes; each has its own
	// pool and write gate, so they contend on SQLite's lock itself.
	a, b := openPair(t)

	ctx := context.Background()
	const workers, perWorker = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker*4)
	for w := range workers {
		s := a
		if w%2 == 1 {
			s = b
		}
		login := fmt.Sprintf("user%d", w)
		wg.Add(1)
		go func() { // ends after perWorker rounds
			defer wg.Done()
			for i := range perWorker {
				errs <- s.AddEvent(ctx, Event{Kind: "k", Login: login, Detail: fmt.Sprint(i)})
				errs <- s.RecordLogin(ctx, login, time.Time{})
				_, err := s.ReplaceKeys(ctx, login, []string{fmt.Sprintf("ssh-ed25519 K%d", i)}, time.Time{})
				errs <- err
				errs <- s.PutSession(ctx, Session{Login: login, Workspace: "w", ID: login, State: SessionRunning})
				if _, err := s.KeySets(ctx); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent write: %v", err)
		}
	}

	es, err := a.Events(ctx, EventFilter{Limit: workers * perWorker * 2})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if got, want := len(es), workers*perWorker; got != want {
		t.Errorf("events: got %d; want %d", got, want)
	}
	users, err := b.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if got, want := len(users), workers; got != want {
		t.Errorf("users: got %d; want %d", got, want)
	}
	ks, err := a.KeySet(ctx, "user3")
	if err != nil {
		t.Fatalf("KeySet: %v", err)
	}
	if want := []string{fmt.Sprintf("ssh-ed25519 K%d", perWorker-1)}; !equalStrings(ks.Keys, want) {
		t.Errorf("last keys: got %q; want %q", ks.Keys, want)
	}
}

// lockHolder holds SQLite's write lock on a database until release is called.
type lockHolder struct {
	name string
	hold func(t *testing.T, path string) (release func())
}

var lockHolders = []lockHolder{
	{name: "connection in this process", hold: holdWithConn},
	{name: "sqlite3 process", hold: holdWithCLI},
}

func holdWithConn(t *testing.T, path string) func() {
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatalf("BEGIN EXCLUSIVE: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO events (at, kind) VALUES (1, 'uncommitted')"); err != nil {
		t.Fatalf("insert under lock: %v", err)
	}
	return func() {
		conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
		db.Close()
	}
}

func holdWithCLI(t *testing.T, path string) func() {
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Fatal("needs the sqlite3 command: apt-get install sqlite3 (.ci/run does)")
	}
	cmd := exec.Command(bin, path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "BEGIN EXCLUSIVE;\nINSERT INTO events (at, kind) VALUES (1, 'uncommitted');\nSELECT 'locked';\n")
	ready := make(chan string, 1)
	go func() { // ends when sqlite3 prints its first line or exits
		sc := bufio.NewScanner(stdout)
		sc.Scan()
		ready <- sc.Text()
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-ready:
		if line != "locked" {
			t.Fatalf("sqlite3: got %q; want %q", line, "locked")
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("sqlite3 did not take the lock within 10s")
	}
	return func() {
		io.WriteString(stdin, "ROLLBACK;\n.quit\n")
		stdin.Close()
		cmd.Wait()
	}
}

// TestWriteLockHeldElsewhere is SECURITY.md P5: while another connection
// holds the write lock, reads keep working and a write fails with ErrBusy
// after the busy timeout instead of hanging.
func TestWriteLockHeldElsewhere(t *testing.T) {
	const busy = 200 * time.Millisecond
	for _, h := range lockHolders {
		t.Run(h.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "warren.db")
			s, err := open(path, options{busyTimeout: busy})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer s.Close()
			ctx := context.Background()
			if _, err := s.ReplaceKeys(ctx, "alice", []string{keyA}, time.Time{}); err != nil {
				t.Fatalf("ReplaceKeys: %v", err)
			}

			release := h.hold(t, path)
			released := false
			defer func() {
				if !released {
					release()
				}
			}()

			ks, err := s.KeySet(ctx, "alice")
			if err != nil {
				t.Fatalf("KeySet under a foreign write lock: %v", err)
			}
			if !equalStrings(ks.Keys, []string{keyA}) {
				t.Errorf("Keys: got %q; want %q", ks.Keys, []string{keyA})
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("Ping under a foreign write lock: %v", err)
			}
			es, err := s.Events(ctx, EventFilter{})
			if err != nil {
				t.Fatalf("Events: %v", err)
			}
			if len(es) != 0 {
				t.Errorf("Events: got %d; want 0 (the holder has not committed)", len(es))
			}
			// A second store opens fine: an up-to-date schema needs no lock.
			s2, err := open(path, options{busyTimeout: busy})
			if err != nil {
				t.Errorf("open while locked: %v", err)
			} else {
				s2.Close()
			}

			start := time.Now()
			_, err = s.ReplaceKeys(ctx, "alice", []string{keyB}, time.Time{})
			elapsed := time.Since(start)
			if !errors.Is(err, ErrBusy) {
				t.Fatalf("ReplaceKeys under a foreign write lock: got %v; want ErrBusy", err)
			}
			if !strings.HasPrefix(err.Error(), `replace keys "alice": `) {
				t.Errorf("error: got %q; want it prefixed with the operation", err)
			}
			if elapsed < busy/2 || elapsed > 20*busy {
				t.Errorf("ReplaceKeys gave up after %v; want about %v", elapsed, busy)
			}

			release()
			released = true
			if _, err := s.ReplaceKeys(ctx, "alice", []string{keyB}, time.Time{}); err != nil {
				t.Fatalf("ReplaceKeys after release: %v", err)
			}
			if ks, err = s.KeySet(ctx, "alice"); err != nil || !equalStrings(ks.Keys, []string{keyB}) {
				t.Errorf("KeySet after release: got %q, %v; want %q", ks.Keys, err, []string{keyB})
			}
		})
	}
}

// TestWriteWaitHonoursContext: a writer queued behind another in-process
// writer gives up when its context ends.
func TestWriteWaitHonoursContext(t *testing.T) {
	s := newStore(t)
	s.writeSem <- struct{}{} // another writer is in progress
	defer func() { <-s.writeSem }()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.AddEvent(ctx, Event{Kind: "k"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("AddEvent: got %v; want context.DeadlineExceeded", err)
	}
}

// TestDiskFull is SECURITY.md P2, with the database's page limit standing in
// for a full disk: writes fail with ErrFull, a failed key replacement keeps
// the previous set whole, and reads keep working.
func TestDiskFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warren.db")
	s, err := open(path, options{
		busyTimeout: defaultBusyTimeout,
		connectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA max_page_count = 64", nil)
			return err
		},
	})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.ReplaceKeys(ctx, "alice", []string{keyA, keyB}, time.Time{}); err != nil {
		t.Fatalf("ReplaceKeys: %v", err)
	}

	var full error
	for i := 0; i < 10000 && full == nil; i++ {
		full = s.AddEvent(ctx, Event{Kind: "fill", Detail: strings.Repeat("x", 500)})
	}
	if !errors.Is(full, ErrFull) {
		t.Fatalf("filling the database: got %v; want ErrFull", full)
	}

	big := make([]string, 200)
	for i := range big {
		big[i] = fmt.Sprintf("ssh-rsa %04d%s", i, strings.Repeat("A", 1000))
	}
	if _, err := s.ReplaceKeys(ctx, "alice", big, time.Time{}); !errors.Is(err, ErrFull) {
		t.Errorf("ReplaceKeys on a full database: got %v; want ErrFull", err)
	}
	ks, err := s.KeySet(ctx, "alice")
	if err != nil {
		t.Fatalf("KeySet on a full database: %v", err)
	}
	if want := []string{keyA, keyB}; !equalStrings(ks.Keys, want) {
		t.Errorf("Keys after failed replace: got %q; want %q", ks.Keys, want)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping on a full database: %v", err)
	}
	if es, err := s.Events(ctx, EventFilter{Limit: 1}); err != nil || len(es) != 1 {
		t.Errorf("Events on a full database: got %d, %v; want 1", len(es), err)
	}
}

// openPair opens two Stores on one new file, closed at cleanup: two
// processes sharing a database, each with its own pool and write gate.
func openPair(t *testing.T) (a, b *Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "warren.db")
	for _, s := range []**Store{&a, &b} {
		var err error
		if *s, err = Open(path); err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { (*s).Close() })
	}
	return a, b
}
