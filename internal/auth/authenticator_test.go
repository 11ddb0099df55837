package auth

import (
	"context"
	"errors"
	"fmt"
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

	h.clock.Advance(31 * time.Second)
	h.a.CheckKey("bob", alice)
	eventually(t, 5*time.Second, "bob's second miss fetch", func() bool { return h.gh.count("bob") == 3 })
}

func TestCachedKeysSurviveFailedFetches(t *testing.T) {
	alice := newEd25519(t)
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice"} }, func(h *harness) {
		h.gh.keys("alice", alice)
	})
	ctx := context.Background()
	if err := h.a.Refresh(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
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
		{name: "404", resp: response{status: 404, ctype: "text/plain"}, wantErr: ErrNoSuchUser},
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
	if got := h.logs.count("account renamed or deleted?", "login=alice"); got != 1 {
		t.Errorf("got %d rename warnings; want 1", got)
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
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice"} }, func(h *harness) {
		h.gh.keys("alice", k1, k2)
	})
	ctx := context.Background()
	if err := h.a.Refresh(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	ch := h.a.Changed()
	h.gh.set("alice", response{status: 500, ctype: "text/plain"})
	_ = h.a.Refresh(ctx, "alice") // starts a failure streak
	h.gh.keys("alice", k2, k3)    // the set changes (username reuse looks like this)
	if err := h.a.Refresh(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
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

	// 200 text/plain with no keys: the user removed them all.
	h.gh.set("alice", response{status: 200, ctype: "text/plain"})
	if err := h.a.Refresh(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if h.a.CheckKey("alice", k2) {
		t.Error("key accepted after GitHub returned an empty key list")
	}
	if keys, _ := h.a.Keys("alice"); len(keys) != 0 {
		t.Errorf("got %d keys; want 0", len(keys))
	}
}
