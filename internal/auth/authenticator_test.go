package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestCheckKeyUnknownLoginNeverFetches(t *testing.T) {
	alice := newEd25519(t)
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice", "carol"} }, func(h *harness) {
		h.gh.keys("alice", alice)
	})
	// Before Run: nothing but an allowlisted login without keys may even
	// ask for a fetch.
	names := []string{"mallory", "Mallory", "../alice", "alice\x00", strings.Repeat("a", 10<<10)}
	for range 100 {
		names = append(names, fmt.Sprintf("user%d", rand.Int()))
	}
	for _, name := range names {
		if h.a.CheckKey(name, alice) {
			t.Errorf("CheckKey(%q) = true; want false", name)
		}
	}
	if n := len(h.a.missCh); n != 0 {
		t.Fatalf("unknown logins queued %d fetches; want 0", n)
	}
	h.a.CheckKey("carol", alice)
	if n := len(h.a.missCh); n != 1 {
		t.Fatalf("allowlisted login without keys queued %d fetches; want 1", n)
	}

	h.run(t)
	h.ready(t)
	for _, name := range names {
		h.a.CheckKey(name, alice)
	}
	// carol's miss (queued above) is a marker: once GitHub has seen it,
	// everything queued before it has been handled.
	eventually(t, 5*time.Second, "carol's on-miss fetch", func() bool { return h.gh.count("carol") >= 1 })
	if got, want := h.gh.total(), h.gh.count("alice")+h.gh.count("carol"); got != want {
		t.Errorf("got %d GitHub requests; want %d (only allowlisted logins)", got, want)
	}
	if !h.a.CheckKey("ALICE", alice) {
		t.Errorf("CheckKey(ALICE, alice's key) = false; want true")
	}
}

func TestMissFetchIsRateLimited(t *testing.T) {
	alice := newEd25519(t)
	h := newHarness(t, func(o *Options) {
		o.Allow = []string{"alice", "bob"}
		o.MissRetryInterval = 30 * time.Second
	})
	h.run(t)
	h.ready(t) // initial round: alice and bob get 404
	if got := h.gh.count("alice"); got != 1 {
		t.Fatalf("got %d initial requests for alice; want 1", got)
	}
	h.gh.keys("alice", alice) // alice adds a key on GitHub

	if h.a.CheckKey("alice", alice) {
		t.Fatal("CheckKey before the miss fetch = true; want false")
	}
	eventually(t, 5*time.Second, "alice's miss fetch", func() bool { return h.a.CheckKey("alice", alice) })
	if got := h.gh.count("alice"); got != 2 {
		t.Fatalf("got %d requests for alice; want 2", got)
	}

	// bob has no keys: the first miss fetches, the rest are rate-limited.
	for range 20 {
		h.a.CheckKey("bob", alice)
	}
	h.a.CheckKey("alice", alice) // alice has keys now: no miss
	eventually(t, 5*time.Second, "bob's miss fetch", func() bool { return h.gh.count("bob") == 2 })
	// Wait for the miss loop to take every queued request; then count the
	// fetches it decided on. Each is logged before it starts.
	eventually(t, 5*time.Second, "queue drained", func() bool { return len(h.a.missCh) == 0 })
	h.a.CheckKey("bob", alice)
	eventually(t, 5*time.Second, "queue drained", func() bool { return len(h.a.missCh) == 0 })
	if got := h.logs.count("on-miss key fetch", "login=bob"); got != 1 {
		t.Errorf("got %d on-miss fetches for bob; want 1", got)
	}

	// Once the window has passed, a miss fetches again. The fetch counted
	// above may still be returning (recording its 404) when the clock
	// moves, and a miss then joins it rather than starting another, which
	// restarts the window: so each try moves the clock past it again.
	eventually(t, 5*time.Second, "bob's second miss fetch", func() bool {
		if h.gh.count("bob") >= 3 {
			return true
		}
		h.clock.Advance(31 * time.Second)
		h.a.CheckKey("bob", alice)
		time.Sleep(20 * time.Millisecond)
		return h.gh.count("bob") >= 3
	})
}

func TestCachedKeysSurviveFailedFetches(t *testing.T) {
	alice := newEd25519(t)
	h := fetchedHarness(t, alice)
	ctx := context.Background()
	if !h.a.CheckKey("alice", alice) {
		t.Fatal("CheckKey after a good fetch = false; want true")
	}
	failures := []struct {
		name    string
		resp    response
		wantErr error
	}{
		{name: "500", resp: response{status: 500, ctype: "text/plain"}, wantErr: ErrUnexpectedStatus},
		{name: "429", resp: response{status: 429, ctype: "text/plain"}, wantErr: ErrUnexpectedStatus},
		{name: "html", resp: response{status: 200, ctype: "text/html", body: "<html>sign in</html>"}, wantErr: ErrNotPlainText},
		{name: "too large", resp: response{status: 200, ctype: "text/plain", body: strings.Repeat("#", DefaultMaxBodyBytes+1)}, wantErr: ErrTooLarge},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			h.gh.set("alice", f.resp)
			if err := h.a.Refresh(ctx, "alice"); !errors.Is(err, f.wantErr) {
				t.Fatalf("Refresh error = %v; want %v", err, f.wantErr)
			}
			if !h.a.CheckKey("alice", alice) {
				t.Error("cached key refused after a failed fetch")
			}
			if id, ok := h.a.Identify(alice); !ok || id.Login != "alice" {
				t.Errorf("Identify = %+v, %v; want alice", id, ok)
			}
		})
	}
	if got := len(h.store.fetchErrors); got != len(failures) {
		t.Errorf("got %d recorded fetch errors; want %d", got, len(failures))
	}

	// Connection refused.
	h.gh.srv.Close()
	if err := h.a.Refresh(ctx, "alice"); err == nil {
		t.Fatal("Refresh with GitHub down = nil; want an error")
	}
	if !h.a.CheckKey("alice", alice) {
		t.Error("cached key refused with GitHub down")
	}
	if got, want := h.store.kinds("alice"), []string{EventKeysFetchFailed}; !slices.Equal(got, want) {
		t.Errorf("got audit %q; want %q (once per failure streak)", got, want)
	}
}

func TestKeySetChangeIsAudited(t *testing.T) {
	k1, k2, k3 := newEd25519(t), newEd25519(t), newEd25519(t)
	h := fetchedHarness(t, k1, k2)
	ctx := context.Background()
	ch := h.a.Changed()
	h.gh.set("alice", response{status: 500, ctype: "text/plain"})
	_ = h.a.Refresh(ctx, "alice") // starts a failure streak
	h.gh.keys("alice", k2, k3)    // the set changes (username reuse looks like this)
	if err := h.a.Refresh(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if !closed(ch) {
		t.Error("Changed() did not fire on a key set change")
	}
	tests := []struct {
		name string
		key  ssh.PublicKey
		want bool
	}{
		{name: "removed key", key: k1, want: false},
		{name: "kept key", key: k2, want: true},
		{name: "added key", key: k3, want: true},
	}
	for _, tt := range tests {
		if got := h.a.CheckKey("alice", tt.key); got != tt.want {
			t.Errorf("%s: CheckKey = %v; want %v", tt.name, got, tt.want)
		}
	}
	if got, want := h.store.kinds("alice"), []string{EventKeysFetchFailed, EventKeysChanged}; !slices.Equal(got, want) {
		t.Errorf("got audit %q; want %q", got, want)
	}
	if got := h.logs.count("key set changed", "old=2", "new=2"); got != 1 {
		t.Errorf("got %d key-set-changed logs; want 1", got)
	}
	ks, err := h.store.KeySet(ctx, "alice")
	if err != nil || len(ks.Keys) != 2 || !slices.IsSorted(ks.Keys) {
		t.Errorf("stored key set = %+v, %v; want 2 sorted keys", ks, err)
	}

}

// GitHub listing no keys (200 text/plain, empty body) lets nobody in at
// once, but the cached set stays as the one the next listed set must share
// a key with: otherwise emptying a reused name and then listing a
// stranger's key would pass as a first fetch. Listing an old key again
// lifts it; an admin can accept anything else.
func TestEmptiedKeySetIsSuspendedNotForgotten(t *testing.T) {
	old1, old2, stranger := newEd25519(t), newEd25519(t), newEd25519(t)
	h := fetchedHarness(t, old1, old2)
	ctx := context.Background()
	refreshSuspends(t, h, response{status: 200, ctype: "text/plain"}, ErrNoKeysListed, old1, old2)
	if keys, _ := h.a.Keys("alice"); len(keys) != 0 {
		t.Errorf("Keys = %d; want 0 usable", len(keys))
	}
	if reason, ok := h.a.Suspended("alice"); !ok || !strings.HasSuffix(reason, ErrNoKeysListed.Error()) {
		t.Errorf("Suspended = %q, %v; want the empty list", reason, ok)
	}
	if got := h.logs.count("GitHub lists no keys", "login=alice", "cached=2"); got != 1 {
		t.Errorf("got %d empty-list warnings; want 1", got)
	}
	if ks, _ := h.store.KeySet(ctx, "alice"); len(ks.Keys) != 2 {
		t.Errorf("stored keys = %d; want the 2 cached ones kept", len(ks.Keys))
	}

	// A stranger's key next, across a restart: held, not a first fetch.
	a2 := h.reopen(t, "alice")
	h.gh.keys("alice", stranger)
	if err := a2.Refresh(ctx, "alice"); !errors.Is(err, ErrKeysReplaced) {
		t.Fatalf("Refresh after empty then a stranger's key = %v; want ErrKeysReplaced", err)
	}
	if a2.CheckKey("alice", stranger) || a2.CheckKey("alice", old1) {
		t.Error("a key accepted after an emptied set was refilled by a stranger")
	}

	// The owner lists one of the old keys again: alice is back, and only
	// what GitHub lists now works.
	h.gh.keys("alice", old2)
	if err := a2.Refresh(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if !a2.CheckKey("alice", old2) || a2.CheckKey("alice", old1) || a2.CheckKey("alice", stranger) {
		t.Error("after GitHub lists old2 again: want only old2 accepted")
	}

	// An admin may accept an empty list: then the anchor is gone.
	h.gh.set("alice", response{status: 200, ctype: "text/plain"})
	if err := a2.AcceptReplaced(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, ok := a2.Suspended("alice"); ok {
		t.Error("Suspended after accepting an empty list = true; want false")
	}
	if ks, _ := h.store.KeySet(ctx, "alice"); len(ks.Keys) != 0 {
		t.Errorf("stored keys after accepting an empty list = %d; want 0", len(ks.Keys))
	}
}

// refreshSuspends has GitHub answer resp for alice, refreshes, and checks
// that the refresh fails with want, that Changed fires (so live
// connections are revoked), and that none of alice's cached keys is
// accepted any more.
func refreshSuspends(t *testing.T, h *harness, resp response, want error, cached ...ssh.PublicKey) {
	t.Helper()
	ch := h.a.Changed()
	h.gh.set("alice", resp)
	if err := h.a.Refresh(context.Background(), "alice"); !errors.Is(err, want) {
		t.Fatalf("Refresh after GitHub answered %d %q = %v; want %v", resp.status, resp.body, err, want)
	}
	if !closed(ch) {
		t.Error("Changed() did not fire: live connections would not be revoked")
	}
	for i, k := range cached {
		if h.a.CheckKey("alice", k) {
			t.Errorf("cached key %d accepted after GitHub answered %d %q; want refused", i, resp.status, resp.body)
		}
	}
}

// fetchedHarness is a harness where alice is allowlisted, GitHub lists
// keys for her, and one fetch has cached them.
func fetchedHarness(t *testing.T, keys ...ssh.PublicKey) *harness {
	t.Helper()
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice"} }, func(h *harness) {
		h.gh.keys("alice", keys...)
	})
	if err := h.a.Refresh(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	return h
}

// reopen builds a second Authenticator over h's store and GitHub, as a
// restart would.
func (h *harness) reopen(t *testing.T, allow ...string) *Authenticator {
	t.Helper()
	a, err := New(context.Background(), Options{
		Allow: allow, GitHubURL: h.gh.srv.URL, HTTPClient: h.gh.srv.Client(),
		Store: h.store, Audit: h.store, Logger: slog.New(recHandler{r: h.logs}), Now: h.clock.Now,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// A 404 means the account was renamed or deleted: its cached keys let
// nobody in, across a restart too, and are kept as the set a later key set
// must share a key with.
func TestNoSuchUserSuspendsCachedKeys(t *testing.T) {
	k1, k2 := newEd25519(t), newEd25519(t)
	h := fetchedHarness(t, k1, k2)
	ctx := context.Background()
	refreshSuspends(t, h, response{status: 404, ctype: "text/plain", body: "Not Found"}, ErrNoSuchUser, k1, k2)
	if _, ok := h.a.Identify(k2); ok {
		t.Error("Identify after a 404 names someone; want nobody")
	}
	if reason, ok := h.a.Suspended("alice"); !ok || !strings.HasSuffix(reason, ErrNoSuchUser.Error()) {
		t.Errorf("Suspended = %q, %v; want the 404", reason, ok)
	}
	if got := h.logs.count("GitHub has no such user", "login=alice", "cached=2"); got != 1 {
		t.Errorf("got %d suspension warnings; want 1", got)
	}
	// A second 404 is the same streak: no second warning or audit event.
	_ = h.a.Refresh(ctx, "alice")
	if got, want := h.store.kinds("alice"), []string{EventKeysFetchFailed, EventKeysSuspended}; !slices.Equal(got, want) {
		t.Errorf("got audit %q; want %q", got, want)
	}
	if ks, _ := h.store.KeySet(ctx, "alice"); len(ks.Keys) != 2 {
		t.Errorf("stored keys = %d; want the 2 cached ones kept", len(ks.Keys))
	}

	// A GitHub outage meanwhile does not lift it, not even after a restart.
	h.gh.set("alice", response{status: 500, ctype: "text/plain"})
	if err := h.a.Refresh(ctx, "alice"); !errors.Is(err, ErrUnexpectedStatus) {
		t.Fatalf("Refresh = %v; want ErrUnexpectedStatus", err)
	}
	if h.a.CheckKey("alice", k1) {
		t.Error("CheckKey after a 404 and a 500 = true; want false")
	}
	// A restart reads the suspension back from the store.
	a2 := h.reopen(t, "alice")
	if a2.CheckKey("alice", k1) {
		t.Error("CheckKey after a restart = true; want false (still suspended)")
	}
	// The account is back with one of its keys: it is alice again.
	h.gh.keys("alice", k1)
	if err := a2.Refresh(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if !a2.CheckKey("alice", k1) || a2.CheckKey("alice", k2) {
		t.Error("after GitHub lists k1 again: want k1 accepted and k2 refused")
	}
	if _, ok := a2.Suspended("alice"); ok {
		t.Error("Suspended after GitHub lists k1 again = true; want false")
	}
}

// A key set that shares no key with the cached one (a login reused by a
// new account looks like this) is held: neither the old keys nor the new
// ones let anyone in until an admin accepts the new set. GitHub removing
// keys is always honoured.
func TestWholesaleReplacementIsHeld(t *testing.T) {
	old1, old2, new1 := newEd25519(t), newEd25519(t), newEd25519(t)
	h := fetchedHarness(t, old1, old2)
	ctx := context.Background()
	h.gh.keys("alice", new1)
	if err := h.a.Refresh(ctx, "alice"); !errors.Is(err, ErrKeysReplaced) {
		t.Fatalf("Refresh = %v; want ErrKeysReplaced", err)
	}
	for name, k := range map[string]ssh.PublicKey{"old": old1, "new": new1} {
		if h.a.CheckKey("alice", k) {
			t.Errorf("CheckKey(%s key) while held = true; want false", name)
		}
	}
	if got := h.logs.count("key set replaced entirely", "login=alice"); got != 1 {
		t.Errorf("got %d replacement warnings; want 1", got)
	}
	if got, want := h.store.kinds("alice"), []string{EventKeysFetchFailed, EventKeysSuspended}; !slices.Equal(got, want) {
		t.Errorf("got audit %q; want %q", got, want)
	}
	ks, _ := h.store.KeySet(ctx, "alice")
	if len(ks.Keys) != 2 || !strings.Contains(ks.LastError, "refresh-keys LOGIN --accept") {
		t.Errorf("stored set = %d keys, last error %q; want the 2 old keys and the reason", len(ks.Keys), ks.LastError)
	}

	// Held across a restart, and by every plain refresh.
	a2 := h.reopen(t, "alice")
	if err := a2.Refresh(ctx, "alice"); !errors.Is(err, ErrKeysReplaced) {
		t.Fatalf("Refresh after restart = %v; want ErrKeysReplaced", err)
	}
	if a2.CheckKey("alice", new1) || a2.CheckKey("alice", old1) {
		t.Error("a key accepted while held after a restart")
	}
	// The admin accepts.
	if err := a2.AcceptReplaced(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if !a2.CheckKey("alice", new1) || a2.CheckKey("alice", old1) {
		t.Error("after accepting: want the new key accepted and the old one refused")
	}
}

// A renamed account whose name is then taken by someone else: 404, then a
// different key set. The new set is held, not taken as a first fetch.
func TestRenameThenReuseIsHeld(t *testing.T) {
	owner, stranger := newEd25519(t), newEd25519(t)
	h := fetchedHarness(t, owner)
	ctx := context.Background()
	h.gh.set("alice", response{status: 404, ctype: "text/plain"})
	_ = h.a.Refresh(ctx, "alice")
	h.gh.keys("alice", stranger)
	if err := h.a.Refresh(ctx, "alice"); !errors.Is(err, ErrKeysReplaced) {
		t.Fatalf("Refresh = %v; want ErrKeysReplaced", err)
	}
	if h.a.CheckKey("alice", stranger) || h.a.CheckKey("alice", owner) {
		t.Error("a key accepted after rename and reuse")
	}
	if got := h.logs.count("cached keys stay suspended", "login=alice"); got != 1 {
		t.Errorf("got %d stay-suspended logs; want 1", got)
	}
}
