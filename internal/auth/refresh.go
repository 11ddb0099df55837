package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/warren-ssh/warren/internal/store"
)

// fetchConcurrency bounds the parallel fetches of one refresh round.
const fetchConcurrency = 4

// Run owns the background work until ctx ends: the initial fetch of every
// allowlisted login without a fresh cache, the periodic refresh every
// RefreshInterval, on-miss fetches asked for by CheckKey, and polling the
// allowlist and key files every WatchInterval. It returns nil when ctx
// ends, after every goroutine it started has finished.
func (a *Authenticator) Run(ctx context.Context) error {
	if !a.running.CompareAndSwap(false, true) {
		return fmt.Errorf("run authenticator: %w", ErrAlreadyRunning)
	}
	var wg sync.WaitGroup
	// The watcher ends when ctx ends.
	wg.Go(func() { a.watch(ctx) })
	// The claim writer ends when ctx ends, after a last write.
	wg.Go(func() { a.claimWriter(ctx) })
	if a.fetcher == nil {
		a.markReady()
	} else {
		// The refresh loop ends when ctx ends (after its current round).
		wg.Go(func() { a.refreshLoop(ctx) })
		// The miss loop ends when ctx ends and its fetches have returned.
		wg.Go(func() { a.missLoop(ctx) })
	}
	wg.Wait()
	return nil
}

// refreshLoop runs the initial round, marks the Authenticator ready, then
// refreshes every allowlisted login each RefreshInterval until ctx ends.
func (a *Authenticator) refreshLoop(ctx context.Context) {
	now := a.now()
	var stale []string
	for login, lk := range a.snap.Load().logins {
		if lk.fetchedAt.IsZero() || now.Sub(lk.fetchedAt) >= a.opts.RefreshInterval {
			stale = append(stale, login)
		}
	}
	sort.Strings(stale)
	a.fetchAll(ctx, stale)
	a.markReady()

	t := time.NewTicker(a.opts.RefreshInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.fetchAll(ctx, a.Logins())
	}
}

// fetchAll fetches logins with at most fetchConcurrency at a time and
// returns when all have finished. Failures are logged by fetch.
func (a *Authenticator) fetchAll(ctx context.Context, logins []string) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, fetchConcurrency)
	for _, login := range logins {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		// Each fetch goroutine ends when its fetch returns (bounded by
		// FetchTimeout); fetchAll waits for all of them.
		wg.Go(func() {
			defer func() { <-sem }()
			_ = a.fetch(ctx, login) // logged and recorded inside
		})
	}
	wg.Wait()
}

// missLoop serves CheckKey's on-miss requests: at most one fetch per login
// per MissRetryInterval, each in its own goroutine so a slow login never
// delays another. It ends when ctx ends and its fetches have returned.
func (a *Authenticator) missLoop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	last := make(map[string]time.Time) // owned by this goroutine
	for {
		var login string
		select {
		case <-ctx.Done():
			return
		case login = <-a.missCh:
		}
		now := a.now()
		if t, ok := last[login]; ok && now.Sub(t) < a.opts.MissRetryInterval {
			continue
		}
		last[login] = now
		if len(last) > 4096 { // forget logins whose window has passed
			for l, t := range last {
				if now.Sub(t) >= a.opts.MissRetryInterval {
					delete(last, l)
				}
			}
		}
		a.log.Debug("on-miss key fetch", "login", login)
		// Ends when the fetch returns (bounded by FetchTimeout).
		wg.Go(func() { _ = a.fetch(ctx, login) }) // logged and recorded inside
	}
}

// Refresh fetches login's keys from GitHub now and waits for the result
// (the admin command refresh-keys). It joins a fetch already in flight for
// the login. The fetch itself is bounded by FetchTimeout and is not
// abandoned if ctx ends first.
func (a *Authenticator) Refresh(ctx context.Context, login string) error {
	return a.refresh(ctx, login, false)
}

// AcceptReplaced is Refresh for a key set held as ErrKeysReplaced or
// ErrNoKeysListed: the fetched set is taken even if it is empty or shares
// no key with the cached one (the admin command refresh-keys --accept,
// once the admin has checked that the login's GitHub account is still the
// same person's).
func (a *Authenticator) AcceptReplaced(ctx context.Context, login string) error {
	return a.refresh(ctx, login, true)
}

func (a *Authenticator) refresh(ctx context.Context, login string, accept bool) error {
	login, err := NormalizeLogin(login)
	if err != nil {
		return fmt.Errorf("refresh keys: %w", err)
	}
	if a.fetcher == nil {
		return fmt.Errorf("refresh keys for %s: %w", login, ErrFetchDisabled)
	}
	if _, ok := a.Lookup(login); !ok {
		return fmt.Errorf("refresh keys for %s: %w", login, ErrNotAllowed)
	}
	key := login
	if accept {
		key = "accept:" + login // never joins, nor is joined by, a fetch that holds
	}
	ch := a.group.DoChan(key, func() (any, error) {
		return nil, a.doFetch(context.WithoutCancel(ctx), login, accept)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return fmt.Errorf("refresh keys: %w", res.Err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("refresh keys for %s: %w", login, ctx.Err())
	}
}

// fetch runs doFetch, sharing one in-flight fetch per login.
func (a *Authenticator) fetch(ctx context.Context, login string) error {
	_, err, _ := a.group.Do(login, func() (any, error) {
		return nil, a.doFetch(ctx, login, false)
	})
	return err
}

// doFetch fetches an allowlisted login's keys and updates the cache. A
// failure never removes cached keys, but GitHub answering that the login
// does not exist suspends them. A set that shares no key with a non-empty
// cached set is held, and suspends the cached one too, unless accept: a
// removal on GitHub is always honoured, a wholesale replacement waits for
// an admin. An empty set suspends the cached one rather than replacing it,
// so that emptying a login and then listing new keys is a wholesale
// replacement too, not a first fetch.
func (a *Authenticator) doFetch(ctx context.Context, login string, accept bool) error {
	if _, ok := a.Lookup(login); !ok {
		return fmt.Errorf("fetch keys for %s: %w", login, ErrNotAllowed)
	}
	started := time.Now()
	keys, skipped, err := a.fetcher.Fetch(ctx, login)
	if a.opts.OnFetch != nil {
		a.opts.OnFetch(FetchOutcome(err), time.Since(started))
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			// Shutting down (or an abandoned refresh): not GitHub's failure.
			return err
		}
		a.fetchFailed(ctx, login, err)
		return err
	}
	a.logSkipped("github:"+login, skipped)
	if held := a.heldBack(login, keys); held != nil && !accept {
		err := fmt.Errorf("keys for %s: %w", login, held)
		a.fetchFailed(ctx, login, err)
		return err
	}
	return a.fetchSucceeded(ctx, login, keys)
}

// heldBack reports why keys, just fetched, must not replace login's
// non-empty cached set without an admin: ErrNoKeysListed if keys is empty,
// ErrKeysReplaced if it shares no key with the cached set; nil otherwise.
func (a *Authenticator) heldBack(login string, keys []Key) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	g := a.github[login]
	switch {
	case g == nil || len(g.keys) == 0:
		return nil
	case len(keys) == 0:
		return ErrNoKeysListed
	}
	if dropped, _ := diffKeys(keys, g.keys); len(dropped) == len(g.keys) {
		return ErrKeysReplaced
	}
	return nil
}

func (a *Authenticator) fetchFailed(ctx context.Context, login string, ferr error) {
	now := a.now()
	a.mu.Lock()
	g := a.github[login]
	if g == nil {
		g = &githubKeys{}
		a.github[login] = g
	}
	firstInStreak := !g.failing
	g.failing = true
	cached := len(g.keys)
	reason := ferr.Error()
	wasSuspended := g.suspendedBy != ""
	suspend := suspends(ferr) && cached > 0 && !wasSuspended
	recorded := reason
	switch {
	case suspend:
		g.suspendedBy = reason
		a.publishLocked() // live connections with these keys are revoked
	case wasSuspended && suspends(ferr):
		g.suspendedBy = reason
	case wasSuspended:
		// The store keeps one error per login: it must still say why the
		// keys are suspended, or a restart would take them back.
		recorded = reason + "; keys still suspended: " + g.suspendedBy
	}
	a.mu.Unlock()

	switch {
	case suspend && errors.Is(ferr, ErrNoKeysListed):
		a.log.Warn("GitHub lists no keys: the cached keys are refused; a new key set must share one of them, or wait for an admin's refresh-keys --accept",
			"login", login, "cached", cached)
	case suspend && errors.Is(ferr, ErrNoSuchUser):
		a.log.Warn("GitHub has no such user: its cached keys are refused until GitHub lists one of them again (account renamed or deleted?)",
			"login", login, "cached", cached)
	case suspend:
		a.log.Warn("key set replaced entirely on GitHub: old and new keys are refused until an admin runs refresh-keys --accept (a login reused by another account?)",
			"login", login, "cached", cached)
	case wasSuspended:
		a.log.Warn("key fetch failed; cached keys stay suspended", "login", login, "reason", reason, "cached", cached)
	default:
		a.log.Warn("key fetch failed; keeping cached keys", "login", login, "reason", reason, "cached", cached)
	}
	sctx := context.WithoutCancel(ctx)
	if a.opts.Store != nil {
		if err := a.opts.Store.RecordFetchError(sctx, login, recorded, now); err != nil {
			a.log.Error("record key fetch error", "login", login, "err", err)
		}
	}
	if firstInStreak {
		a.audit(sctx, store.Event{At: now, Kind: EventKeysFetchFailed, Login: login, Detail: reason})
	}
	if suspend {
		a.audit(sctx, store.Event{At: now, Kind: EventKeysSuspended, Login: login, Detail: reason})
	}
}

func (a *Authenticator) fetchSucceeded(ctx context.Context, login string, keys []Key) error {
	now := a.now()
	a.mu.Lock()
	g := a.github[login]
	if g == nil {
		g = &githubKeys{}
		a.github[login] = g
	}
	old, hadFetch, wasSuspended := g.keys, !g.fetchedAt.IsZero(), g.suspendedBy != ""
	g.keys, g.fetchedAt, g.failing, g.suspendedBy = keys, now, false, ""
	a.publishLocked()
	a.mu.Unlock()

	added, removed := diffKeys(old, keys)
	sctx := context.WithoutCancel(ctx)
	var serr error
	if a.opts.Store != nil {
		lines := make([]string, len(keys))
		for i, k := range keys {
			lines[i] = k.Authorized()
		}
		sort.Strings(lines)
		if _, err := a.opts.Store.ReplaceKeys(sctx, login, lines, now); err != nil {
			a.log.Error("store fetched keys", "login", login, "err", err)
			serr = fmt.Errorf("store keys for %s: %w", login, err)
		}
	}
	if wasSuspended {
		a.log.Info("cached keys no longer suspended: GitHub lists one of them again, or an admin accepted the new set", "login", login, "keys", len(keys))
	}
	switch {
	case !hadFetch:
		a.log.Info("keys fetched", "login", login, "keys", len(keys))
	case len(added) > 0 || len(removed) > 0:
		detail := fmt.Sprintf("old=%d new=%d added=%d removed=%d", len(old), len(keys), len(added), len(removed))
		a.log.Warn("key set changed", "login", login, "old", len(old), "new", len(keys),
			"added", added, "removed", removed)
		a.audit(sctx, store.Event{At: now, Kind: EventKeysChanged, Login: login, Detail: detail})
	}
	return serr
}

// diffKeys returns the fingerprints in b but not a, and in a but not b.
func diffKeys(a, b []Key) (added, removed []string) {
	in := func(keys []Key) map[string]bool {
		m := make(map[string]bool, len(keys))
		for _, k := range keys {
			m[k.Fingerprint] = true
		}
		return m
	}
	am, bm := in(a), in(b)
	for _, k := range b {
		if !am[k.Fingerprint] {
			added = append(added, k.Fingerprint)
		}
	}
	for _, k := range a {
		if !bm[k.Fingerprint] {
			removed = append(removed, k.Fingerprint)
		}
	}
	return added, removed
}

func (a *Authenticator) audit(ctx context.Context, e store.Event) {
	if a.opts.Audit == nil {
		return
	}
	if err := a.opts.Audit.AddEvent(ctx, e); err != nil {
		a.log.Error("write audit event", "kind", e.Kind, "login", e.Login, "err", err)
	}
}

// FetchOutcome names the outcome of one key fetch for metrics: "ok",
// "not_found", "status", "not_plain_text", "too_large", or "error"
// (timeouts, refused connections).
func FetchOutcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNoSuchUser):
		return "not_found"
	case errors.Is(err, ErrUnexpectedStatus):
		return "status"
	case errors.Is(err, ErrNotPlainText):
		return "not_plain_text"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	default:
		return "error"
	}
}
