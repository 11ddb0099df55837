package auth

import (
	"context"
	"crypto/elliptic"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// keysFile renders authorized_keys lines owned by logins: pairs of
// (login, key).
func keysFile(pairs ...any) string {
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		b.WriteString(line(pairs[i+1].(ssh.PublicKey), pairs[i].(string)) + "\n")
	}
	return b.String()
}

// filesHarness is a harness with no GitHub, whose allowlist and keys file
// are dir/allow and dir/keys, written with allow and keys.
func filesHarness(t *testing.T, dir, allow, keys string) *harness {
	t.Helper()
	allowPath, keysPath := writeFile(t, dir, "allow", allow), writeFile(t, dir, "keys", keys)
	return newHarness(t, func(o *Options) {
		o.GitHubURL = ""
		o.AllowFile, o.KeysFile = allowPath, keysPath
	})
}

func TestAllowlistFileChangePickedUpByRun(t *testing.T) {
	dir := t.TempDir()
	alice, bob := newEd25519(t), newEd25519(t)
	h := filesHarness(t, dir, "alice\nbob admin\n", keysFile("alice", alice, "bob", bob))
	if id, ok := h.a.Identify(bob); !ok || id.Login != "bob" || !id.Admin {
		t.Fatalf("Identify(bob) = %+v, %v; want bob, admin", id, ok)
	}
	h.run(t)
	h.ready(t)

	ch := h.a.Changed()
	start := time.Now()
	// Remove bob: a shorter file, so size changes even on a coarse clock.
	writeFile(t, dir, "allow", "alice\n")
	select {
	case <-ch:
	case <-time.After(2 * time.Second):
		t.Fatal("Changed() did not fire within 2s of the allowlist change")
	}
	t.Logf("allowlist change took effect after %v", time.Since(start))
	if _, ok := h.a.Lookup("bob"); ok {
		t.Error("Lookup(bob) after removal = true; want false")
	}
	if h.a.CheckKey("bob", bob) {
		t.Error("CheckKey(bob) after removal = true; want false")
	}
	if id, ok := h.a.Identify(bob); ok {
		t.Errorf("Identify(bob's key) after removal = %+v; want nobody", id)
	}
	if got := h.a.Logins(); len(got) != 1 || got[0] != "alice" {
		t.Errorf("got Logins %q; want [alice]", got)
	}

	// Keys file changes are picked up too.
	alice2 := newEd25519(t)
	ch = h.a.Changed()
	writeFile(t, dir, "keys", keysFile("alice", alice2, "bob", bob))
	select {
	case <-ch:
	case <-time.After(2 * time.Second):
		t.Fatal("Changed() did not fire within 2s of the keys file change")
	}
	if h.a.CheckKey("alice", alice) || !h.a.CheckKey("alice", alice2) {
		t.Error("keys file change not applied")
	}
}

func TestBadAllowlistKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	alice := newEd25519(t)
	h := filesHarness(t, dir, "alice admin\n", keysFile("alice", alice))
	allowPath := filepath.Join(dir, "allow")

	// SIGHUP path.
	writeFile(t, dir, "allow", "alice admin\nbob\nhalf_writ")
	err := h.a.Reload()
	if !errors.Is(err, ErrInvalidAllowlist) || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), allowPath) {
		t.Fatalf("Reload error = %v; want ErrInvalidAllowlist naming %s line 3", err, allowPath)
	}
	if e, ok := h.a.Lookup("alice"); !ok || !e.Admin {
		t.Errorf("Lookup(alice) = %+v, %v; want the previous allowlist", e, ok)
	}
	if _, ok := h.a.Lookup("bob"); ok {
		t.Error("half-written allowlist partly applied")
	}
	if got := h.logs.count("reload failed", allowPath); got != 1 {
		t.Errorf("got %d reload-failure logs; want 1", got)
	}

	// Watcher path: a bad write is logged once and changes nothing.
	h.run(t)
	writeFile(t, dir, "allow", "alice admin\nbob root\n")
	eventually(t, 2*time.Second, "watcher to log the bad file", func() bool {
		return h.logs.count("reload failed", allowPath) == 2
	})
	if !h.a.CheckKey("alice", alice) {
		t.Error("alice refused after a bad allowlist write")
	}
	// A missing file also keeps the previous allowlist.
	if err := os.Remove(allowPath); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "watcher to log the missing file", func() bool {
		return h.logs.count("reload failed", allowPath) == 3
	})
	if _, ok := h.a.Lookup("alice"); !ok {
		t.Error("alice dropped when the allowlist file vanished")
	}
	// A good write is applied again.
	ch := h.a.Changed()
	writeFile(t, dir, "allow", "carol\n")
	select {
	case <-ch:
	case <-time.After(2 * time.Second):
		t.Fatal("good allowlist not applied within 2s")
	}
	if _, ok := h.a.Lookup("alice"); ok {
		t.Error("alice still allowlisted after the good write")
	}
}

func TestIdentifyNeverReturnsNonAllowlisted(t *testing.T) {
	alice, bob := newEd25519(t), newEd25519(t)
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice", "bob"} }, func(h *harness) {
		h.store.set("alice", h.clock.Now(), alice)
		h.store.set("bob", h.clock.Now(), bob)
		h.store.set("mallory", h.clock.Now(), newEd25519(t)) // cached but not allowlisted
	})
	if _, ok := h.a.Identify(alice); !ok {
		t.Fatal("Identify(alice) = false; want alice from the store cache")
	}
	for _, login := range []string{"mallory"} {
		if keys, _ := h.a.Keys(login); keys != nil {
			t.Errorf("Keys(%q) = %d keys; want none for a non-allowlisted login", login, len(keys))
		}
	}

	dir := t.TempDir()
	h2 := newHarness(t, func(o *Options) {
		o.AllowFile = writeFile(t, dir, "allow", "alice\n")
	}, func(h2 *harness) { h2.store = h.store })
	if id, ok := h2.a.Identify(alice); !ok || id.Login != "alice" || id.Admin {
		t.Errorf("Identify(alice) = %+v, %v; want alice, not admin", id, ok)
	}
	if id, ok := h2.a.Identify(bob); ok {
		t.Errorf("Identify(bob) = %+v; want nobody (bob is not allowlisted)", id)
	}
	writeFile(t, dir, "allow", "")
	if err := h2.a.Reload(); err != nil {
		t.Fatal(err)
	}
	if id, ok := h2.a.Identify(alice); ok {
		t.Errorf("Identify(alice) after removal = %+v; want nobody", id)
	}
	if h2.a.CheckKey("alice", alice) {
		t.Error("CheckKey(alice) after removal = true; want false")
	}
}

func TestLocalKeys(t *testing.T) {
	dir := t.TempDir()
	me, other := newEd25519(t), newECDSA(t, elliptic.P256())
	h := newHarness(t, func(o *Options) {
		o.GitHubURL = ""
		o.LocalLogin = "Me"
		o.LocalKeyDir = dir
		writeFile(t, dir, "id_ed25519.pub", line(me, "me@laptop")+"\n")
		writeFile(t, dir, "authorized_keys", "# mine\r\n"+line(other, "")+"\r\n")
	})
	for _, k := range []ssh.PublicKey{me, other} {
		if !h.a.CheckKey("me", k) {
			t.Errorf("CheckKey(me, %s) = false; want true", ssh.FingerprintSHA256(k))
		}
		if id, ok := h.a.Identify(k); !ok || id.Login != "me" || !id.Admin {
			t.Errorf("Identify = %+v, %v; want me, admin", id, ok)
		}
	}
	if keys, at := h.a.Keys("me"); len(keys) != 2 || !at.IsZero() {
		t.Errorf("Keys(me) = %d keys, %v; want 2, never fetched", len(keys), at)
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	bad := writeFile(t, dir, "bad", "alice\nbob superuser\n")
	tests := []struct {
		name    string
		opts    Options
		wantErr error
		want    string // substring of the error
	}{
		{name: "missing allow file", opts: Options{AllowFile: missing}, wantErr: os.ErrNotExist, want: missing},
		{name: "bad allow file", opts: Options{AllowFile: bad}, wantErr: ErrInvalidAllowlist, want: bad + ": parse allowlist: line 2"},
		{name: "missing keys file", opts: Options{KeysFile: missing}, wantErr: os.ErrNotExist, want: missing},
		{name: "local keys without login", opts: Options{LocalKeyDir: dir}, want: "local login"},
		{name: "bad local login", opts: Options{LocalLogin: "not me"}, wantErr: ErrInvalidLogin},
		{name: "bad --allow", opts: Options{Allow: []string{"ok", "no way"}}, wantErr: ErrInvalidLogin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.opts)
			if err == nil {
				t.Fatal("New = nil error; want one")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v; want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q; want it to contain %q", err, tt.want)
			}
		})
	}
}

// A file rewritten in place is seen mid-write by a poll now and then: cp
// truncates before it writes. The watcher applies a change only once the
// file looks the same at two polls in a row, so a transient empty or half
// allowlist never revokes anyone.
func TestWatcherAppliesOnlySettledFiles(t *testing.T) {
	dir := t.TempDir()
	alice, bob := newEd25519(t), newEd25519(t)
	h := filesHarness(t, dir, "alice\nbob\n", keysFile("alice", alice, "bob", bob))
	h.a.pollFiles() // the first poll after start-up sees the loaded files

	allowed := func() string { return strings.Join(h.a.Logins(), ",") }
	steps := []struct {
		write string // "" leaves the file as it is
		want  string // the allowlist after the poll that follows
	}{
		{write: "\n", want: "alice,bob"},        // truncated, mid-rewrite: not applied
		{write: "alice\nbo", want: "alice,bob"}, // half-written: not applied
		{write: "alice\n", want: "alice,bob"},   // written, first seen
		{want: "alice"},                         // the same at the next poll: applied
		{write: "alice\nbob\ncarol\n", want: "alice"},
		{want: "alice,bob,carol"},
		{want: "alice,bob,carol"}, // unchanged: not read again
	}
	for i, st := range steps {
		if st.write != "" {
			writeFile(t, dir, "allow", st.write)
		}
		h.a.pollFiles()
		if got := allowed(); got != st.want {
			t.Fatalf("step %d (wrote %q): allowlist %q; want %q", i, st.write, got, st.want)
		}
	}
	if got := h.logs.count("allowlist loaded"); got != 2 {
		t.Errorf("allowlist loaded %d times; want 2 (each settled change once)", got)
	}
}
