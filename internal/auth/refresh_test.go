package auth

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestRefreshIsSingleflight(t *testing.T) {
	alice := newEd25519(t)
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice"} }, func(h *harness) {
		h.gh.keys("alice", alice)
		h.gh.block = make(chan struct{})
	})
	var wg sync.WaitGroup
	var firstErr error
	wg.Go(func() { firstErr = h.a.Refresh(context.Background(), "alice") }) // ends when GitHub is unblocked
	eventually(t, 5*time.Second, "the first request to reach GitHub", func() bool { return h.gh.count("alice") == 1 })

	// While that fetch hangs, more refreshes join it instead of sending
	// their own request: each gives up at its deadline with no new request.
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := h.a.Refresh(ctx, "alice")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("joined Refresh error = %v; want its deadline", err)
		}
	}
	if h.a.CheckKey("alice", alice) {
		t.Error("CheckKey = true before any fetch finished")
	}
	close(h.gh.block)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if got := h.gh.count("alice"); got != 1 {
		t.Errorf("got %d requests; want 1", got)
	}
	if !h.a.CheckKey("alice", alice) {
		t.Error("CheckKey = false after the shared fetch")
	}
}

func TestCheckKeyNeverWaitsOnGitHub(t *testing.T) {
	alice := newEd25519(t)
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice", "bob"} }, func(h *harness) {
		h.store.set("alice", h.clock.Now().Add(-time.Hour), alice) // stale: the initial round refetches
		h.gh.block = make(chan struct{})                           // GitHub hangs
	})
	h.run(t)
	eventually(t, 5*time.Second, "the refetch to hang", func() bool { return h.gh.count("alice") == 1 })
	start := time.Now()
	for range 1000 {
		if !h.a.CheckKey("alice", alice) {
			t.Fatal("cached key refused while GitHub hangs")
		}
		h.a.CheckKey("bob", alice) // no keys: schedules a miss, must not block
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("2000 CheckKey calls took %v with GitHub hanging", d)
	}
	close(h.gh.block)
}

func TestRefreshRefusals(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Allow = []string{"alice"} })
	tests := []struct {
		name    string
		login   string
		wantErr error
	}{
		{name: "not allowlisted", login: "mallory", wantErr: ErrNotAllowed},
		{name: "invalid", login: "../x", wantErr: ErrInvalidLogin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.a.Refresh(context.Background(), tt.login); !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v; want %v", err, tt.wantErr)
			}
		})
	}
	if n := h.gh.total(); n != 0 {
		t.Errorf("got %d GitHub requests; want 0", n)
	}
	off := newHarness(t, func(o *Options) { o.Allow = []string{"alice"}; o.GitHubURL = "" })
	if err := off.a.Refresh(context.Background(), "alice"); !errors.Is(err, ErrFetchDisabled) {
		t.Errorf("got %v; want ErrFetchDisabled", err)
	}
}

func TestInitialRoundSkipsFreshCache(t *testing.T) {
	fresh, stale := newEd25519(t), newEd25519(t)
	h := newHarness(t, func(o *Options) {
		o.Allow = []string{"fresh", "stale", "never"}
		o.RefreshInterval = time.Hour
	}, func(h *harness) {
		h.store.set("fresh", h.clock.Now().Add(-time.Minute), fresh)
		h.store.set("stale", h.clock.Now().Add(-2*time.Hour), stale)
		h.gh.keys("stale", stale)
	})
	h.run(t)
	h.ready(t)
	tests := []struct {
		login string
		want  int
	}{{"fresh", 0}, {"stale", 1}, {"never", 1}}
	for _, tt := range tests {
		if got := h.gh.count(tt.login); got != tt.want {
			t.Errorf("%s: got %d requests; want %d", tt.login, got, tt.want)
		}
	}
	if keys, at := h.a.Keys("stale"); len(keys) != 1 || !at.Equal(h.clock.Now()) {
		t.Errorf("Keys(stale) = %d keys at %v; want 1 at %v", len(keys), at, h.clock.Now())
	}
}

func TestPeriodicRefreshDropsDeletedKey(t *testing.T) {
	k1, k2 := newEd25519(t), newEd25519(t)
	h := newHarness(t, func(o *Options) {
		o.Allow = []string{"alice"}
		o.RefreshInterval = 50 * time.Millisecond
	}, func(h *harness) { h.gh.keys("alice", k1, k2) })
	h.run(t)
	h.ready(t)
	if !h.a.CheckKey("alice", k1) {
		t.Fatal("key refused after the initial round")
	}
	h.gh.keys("alice", k2) // k1 deleted on GitHub
	eventually(t, 5*time.Second, "the deleted key to be refused", func() bool { return !h.a.CheckKey("alice", k1) })
	if !h.a.CheckKey("alice", k2) {
		t.Error("remaining key refused")
	}
}

func TestNewlyAllowlistedLoginIsFetched(t *testing.T) {
	dir := t.TempDir()
	bob := newEd25519(t)
	allow := writeFile(t, dir, "allow", "alice\n")
	h := newHarness(t, func(o *Options) { o.AllowFile = allow }, func(h *harness) { h.gh.keys("bob", bob) })
	h.run(t)
	h.ready(t)
	if h.gh.count("bob") != 0 {
		t.Fatal("bob fetched before being allowlisted")
	}
	writeFile(t, dir, "allow", "alice\nbob\n")
	eventually(t, 5*time.Second, "bob's keys to be fetched", func() bool { return h.a.CheckKey("bob", bob) })
}

func TestRunLifecycle(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.GitHubURL = "" })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.a.Run(ctx) }() // ends when cancel is called below
	h.ready(t)                           // at once without GitHub
	eventually(t, 5*time.Second, "Run to start", func() bool { return h.a.running.Load() })
	if err := h.a.Run(context.Background()); !errors.Is(err, ErrAlreadyRunning) {
		t.Errorf("second Run = %v; want ErrAlreadyRunning", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	// Ready honours its context when the round never finishes.
	never := newHarness(t, nil)
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := never.a.Ready(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ready without Run = %v; want its deadline", err)
	}
}

func TestRunLeavesNoGoroutines(t *testing.T) {
	alice := newEd25519(t)
	dir := t.TempDir()
	h := newHarness(t, func(o *Options) {
		o.AllowFile = writeFile(t, dir, "allow", "alice\nbob\n")
		o.RefreshInterval = 20 * time.Millisecond
	}, func(h *harness) { h.gh.keys("alice", alice) })
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.a.Run(ctx) }() // ends when cancel is called below
	h.ready(t)
	for range 50 {
		h.a.CheckKey("bob", alice) // on-miss fetches in flight at cancel time
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.gh.srv.CloseClientConnections()
	h.gh.srv.Client().CloseIdleConnections()
	eventually(t, 5*time.Second, "goroutines to return to the baseline", func() bool {
		return runtime.NumGoroutine() <= before
	})
}

// P10: a wall clock stepped back a year (cached keys "fetched in the
// future") delays nothing but the start-up check: the periodic refresh runs
// on a monotonic ticker, so a key deleted on GitHub is still dropped within
// a refresh interval.
func TestRefreshSurvivesClockSteppedBack(t *testing.T) {
	k1, k2 := newEd25519(t), newEd25519(t)
	h := newHarness(t, func(o *Options) {
		o.Allow = []string{"alice"}
		o.RefreshInterval = 50 * time.Millisecond
	}, func(h *harness) {
		h.store.set("alice", h.clock.Now().Add(365*24*time.Hour), k1, k2)
		h.gh.keys("alice", k2) // k1 deleted on GitHub meanwhile
	})
	h.run(t)
	h.ready(t)
	if got := h.gh.count("alice"); got != 0 {
		t.Errorf("start-up fetched %d times; a cache from the future counts as fresh", got)
	}
	if !h.a.CheckKey("alice", k1) {
		t.Fatal("cached key refused before any refresh")
	}
	eventually(t, 5*time.Second, "the deleted key to be refused", func() bool { return !h.a.CheckKey("alice", k1) })
	if !h.a.CheckKey("alice", k2) {
		t.Error("remaining key refused")
	}
}
