package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sync/singleflight"

	"github.com/warren-ssh/warren/internal/store"
)

// Authenticator defaults.
const (
	DefaultRefreshInterval   = 15 * time.Minute
	DefaultMissRetryInterval = 30 * time.Second
	// WatchInterval is how often Run polls the allowlist and key files.
	WatchInterval = 500 * time.Millisecond
)

// Audit event kinds written by the Authenticator.
const (
	EventKeysChanged     = "keys.changed"
	EventKeysFetchFailed = "keys.fetch_failed"
	EventKeysSuspended   = "keys.suspended"
)

// KeyStore persists fetched key sets. *store.Store satisfies it.
type KeyStore interface {
	KeySet(ctx context.Context, login string) (store.KeySet, error)
	KeySets(ctx context.Context) ([]store.KeySet, error)
	ReplaceKeys(ctx context.Context, login string, keys []string, at time.Time) (changed bool, err error)
	RecordFetchError(ctx context.Context, login, reason string, at time.Time) error
	// KeyClaims and UpdateKeyClaims keep who holds each key (see
	// Verified), so that it survives restarts.
	KeyClaims(ctx context.Context) ([]store.KeyClaim, error)
	UpdateKeyClaims(ctx context.Context, put, drop []store.KeyClaim) error
}

// Auditor records audit events. *store.Store satisfies it.
type Auditor interface {
	AddEvent(ctx context.Context, e store.Event) error
}

// Options configures an Authenticator. Zero durations and sizes mean the
// defaults; a nil Store or Audit means keys are cached in memory only and
// nothing is audited.
type Options struct {
	Allow     []string // --allow
	AllowFile string   // --allow-file; "" = none
	KeysFile  string   // --keys-file; "" = none

	// LocalLogin owns every key in LocalKeyDir (laptop mode). It is
	// allowlisted as an admin unless the allowlist already lists it.
	LocalLogin string
	// LocalKeyDir is the local user's ~/.ssh: the keys of its *.pub files
	// (certificates aside) and of its authorized_keys are LocalLogin's. It
	// is listed again at every poll and Reload, so a key made after start
	// is let in and a deleted one is not; a missing directory holds none.
	LocalKeyDir string

	GitHubURL         string // "" disables fetching entirely
	HTTPClient        *http.Client
	FetchTimeout      time.Duration // DefaultFetchTimeout
	MaxBodyBytes      int64         // DefaultMaxBodyBytes
	RefreshInterval   time.Duration // DefaultRefreshInterval
	MissRetryInterval time.Duration // DefaultMissRetryInterval

	Store  KeyStore
	Audit  Auditor
	Logger *slog.Logger
	Now    func() time.Time
	// OnFetch, when set, is told the outcome (see FetchOutcome) and duration
	// of every GitHub key fetch, for metrics.
	OnFetch func(outcome string, took time.Duration)
}

// Identity is the owner of a verified key.
type Identity struct {
	Login       string
	Admin       bool
	Fingerprint string
}

// Authenticator makes the identity decision. Its query methods (CheckKey,
// Identify, Lookup, Logins, Keys) read an immutable snapshot through an
// atomic pointer and take no lock; fetches and reloads build a new
// snapshot and swap it in (copy-on-write).
type Authenticator struct {
	// Immutable after New.
	opts    Options
	cli     Allowlist
	fetcher *Fetcher // nil when fetching is disabled
	log     *slog.Logger
	now     func() time.Time
	missCh  chan string // logins wanting an on-miss fetch; read by Run's miss loop
	ready   chan struct{}

	claimsDirty chan struct{} // poked when the key claims may have changed; read by Run's claim writer

	snap      atomic.Pointer[snapshot]
	group     singleflight.Group // one fetch at a time per login
	running   atomic.Bool
	readyOnce sync.Once

	// reloadMu guards the following; it serialises file reads (watcher
	// and Reload) and is always taken before mu.
	reloadMu sync.Mutex
	stamps   map[string]fileStamp // as last loaded
	polled   map[string]fileStamp // as last seen by the watcher

	// mu guards the following.
	mu          sync.Mutex
	fileAllow   Allowlist
	fileKeys    map[string][]Key
	localKeys   []Key                  // union of localByFile, by file name
	localByFile map[string][]Key       // local key file → its keys, for every file loaded
	github      map[string]*githubKeys // login → last good fetch; kept across allowlist changes
	keyRecs     map[string]*keyRecord  // fingerprint → who holds it, who else lists it
	outbox      []store.Event          // audit events for the claim writer
	changed     chan struct{}          // closed and replaced by publishLocked

	// flushMu serialises flushClaims and guards saved, the key claims as
	// last written to (or read from) the store.
	flushMu sync.Mutex
	saved   map[claimID]store.KeyClaim
}

// githubKeys is the cached GitHub key set of one login.
type githubKeys struct {
	keys      []Key
	fetchedAt time.Time // last successful fetch; zero if never
	failing   bool      // in a failure streak (audited once per streak)
	// suspendedBy, when not empty, is the fetch error after which GitHub
	// no longer vouches for keys (one of suspendingErrors). They stay
	// cached, as the set a new one must share a key with, but let nobody in.
	suspendedBy string
}

// suspendingErrors are the fetch errors that suspend a login's cached keys.
var suspendingErrors = []error{ErrNoSuchUser, ErrKeysReplaced, ErrNoKeysListed}

// suspends reports whether a failed fetch suspends the cached keys.
func suspends(err error) bool {
	return slices.ContainsFunc(suspendingErrors, func(e error) bool { return errors.Is(err, e) })
}

// suspendedBy reports whether a fetch error as recorded in the store
// (its text) suspends the cached keys: the store keeps the text only, and
// fetch errors end with their sentinel's text.
func suspendedBy(lastError string) bool {
	return slices.ContainsFunc(suspendingErrors, func(e error) bool { return strings.HasSuffix(lastError, e.Error()) })
}

// snapshot is an immutable view of everything the query methods need.
type snapshot struct {
	allow  Allowlist
	logins map[string]*loginKeys // every allowlisted login, keys or not
	// owners maps each listed key to the login it identifies: its holder,
	// when the holder lists it.
	owners map[string]keyOwner
	// provable maps a key to the logins that list it, do not hold it, and
	// take it by signing in with it (see Verified).
	provable  map[string][]string
	conflicts []Conflict // sorted by login, fingerprint
}

// loginKeys is one allowlisted login's keys: GitHub cache ∪ keys file ∪ local.
type loginKeys struct {
	keys        []Key
	fps         map[string]struct{}
	githubCount int
	fetchedAt   time.Time
}

// New builds an Authenticator from the allowlist, the keys file, the local
// key files and the keys cached in opts.Store. It does no network I/O;
// call Run to start fetching. Errors name the file that failed.
func New(ctx context.Context, opts Options) (*Authenticator, error) {
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.MissRetryInterval <= 0 {
		opts.MissRetryInterval = DefaultMissRetryInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LocalLogin != "" {
		l, err := NormalizeLogin(opts.LocalLogin)
		if err != nil {
			return nil, fmt.Errorf("new authenticator: local login: %w", err)
		}
		opts.LocalLogin = l
	} else if opts.LocalKeyDir != "" {
		return nil, fmt.Errorf("new authenticator: local key files need a local login")
	}
	cli, err := AllowlistFromList(opts.Allow)
	if err != nil {
		return nil, fmt.Errorf("new authenticator: %w", err)
	}
	a := &Authenticator{
		opts:        opts,
		cli:         cli,
		log:         opts.Logger.With("component", "auth"),
		now:         opts.Now,
		missCh:      make(chan string, 64),
		ready:       make(chan struct{}),
		stamps:      make(map[string]fileStamp),
		polled:      make(map[string]fileStamp),
		fileKeys:    map[string][]Key{},
		github:      make(map[string]*githubKeys),
		keyRecs:     make(map[string]*keyRecord),
		changed:     make(chan struct{}),
		claimsDirty: make(chan struct{}, 1),
		saved:       make(map[claimID]store.KeyClaim),
	}
	if opts.GitHubURL != "" {
		a.fetcher = &Fetcher{
			BaseURL:  opts.GitHubURL,
			Client:   opts.HTTPClient,
			Timeout:  opts.FetchTimeout,
			MaxBytes: opts.MaxBodyBytes,
		}
	}
	if err := a.loadFiles(true); err != nil {
		return nil, fmt.Errorf("new authenticator: %w", err)
	}
	if err := a.loadCache(ctx); err != nil {
		return nil, fmt.Errorf("new authenticator: %w", err)
	}
	a.mu.Lock()
	loaded, err := a.loadClaimsLocked(ctx)
	if err != nil {
		a.mu.Unlock()
		return nil, fmt.Errorf("new authenticator: %w", err)
	}
	a.publishLocked()
	a.mu.Unlock()
	a.logStanding(loaded)
	return a, nil
}

// loadCache reads the key sets cached in the store into memory.
func (a *Authenticator) loadCache(ctx context.Context) error {
	if a.opts.Store == nil {
		return nil
	}
	sets, err := a.opts.Store.KeySets(ctx)
	if err != nil {
		return fmt.Errorf("load cached keys: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ks := range sets {
		login, err := NormalizeLogin(ks.Login)
		if err != nil {
			a.log.Warn("ignoring cached keys of invalid login", "login", quoteTrunc(ks.Login))
			continue
		}
		keys, skipped := ParseKeys([]byte(strings.Join(ks.Keys, "\n")))
		if len(skipped) > 0 {
			a.log.Warn("ignoring unusable cached keys", "login", login, "skipped", len(skipped))
		}
		g := &githubKeys{keys: keys, fetchedAt: ks.FetchedAt, failing: ks.LastError != ""}
		if suspendedBy(ks.LastError) {
			g.suspendedBy = ks.LastError
		}
		if g.suspendedBy != "" && len(keys) > 0 {
			a.log.Warn("cached keys suspended: GitHub no longer vouches for them", "login", login, "reason", ks.LastError)
		}
		a.github[login] = g
	}
	return nil
}

// CheckKey reports whether login is allowlisted and key is one of its keys
// (GitHub cache ∪ keys file ∪ local keys) that identifies it, or that it
// takes by signing in with it (see Verified): a key another login holds is
// refused. It is meant for the SSH public-key callback: a pure memory
// lookup, O(1), no I/O, nothing recorded. For an allowlisted login with no
// cached GitHub keys it also asks Run for an on-miss fetch (non-blocking,
// at most one per MissRetryInterval) and returns false; a login that is
// not allowlisted triggers nothing.
func (a *Authenticator) CheckKey(login string, key ssh.PublicKey) bool {
	if key == nil {
		return false
	}
	// Hash first so unknown logins and wrong keys cost about the same.
	fp := ssh.FingerprintSHA256(key)
	login, err := NormalizeLogin(login)
	if err != nil {
		return false
	}
	s := a.snap.Load()
	lk, ok := s.logins[login]
	if !ok {
		return false
	}
	// Accept only a key that identifies this login, or that it takes by
	// signing in with it: a key another login holds fails here already.
	if o, ok := s.owners[fp]; ok && o.login == login {
		return true
	}
	if slices.Contains(s.provable[fp], login) {
		return true
	}
	if lk.githubCount == 0 && a.fetcher != nil {
		a.requestFetch(login)
	}
	return false
}

// requestFetch asks the miss loop for a fetch without ever blocking.
func (a *Authenticator) requestFetch(login string) {
	select {
	case a.missCh <- login:
	default: // the loop is busy or not running; a later miss will retry
	}
}

// Identify returns the owner of a verified key: its holder, the first
// allowlisted login seen listing it, when the holder lists it. A key
// nobody holds yet (listed by several logins at once) identifies nobody.
func (a *Authenticator) Identify(key ssh.PublicKey) (Identity, bool) {
	if key == nil {
		return Identity{}, false
	}
	fp := ssh.FingerprintSHA256(key)
	s := a.snap.Load()
	o, ok := s.owners[fp]
	if !ok {
		return Identity{}, false
	}
	return s.identity(o.login, fp)
}

// Suspended reports whether login's cached GitHub keys are suspended (by
// one of suspendingErrors), and why.
func (a *Authenticator) Suspended(login string) (reason string, ok bool) {
	login, err := NormalizeLogin(login)
	if err != nil {
		return "", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	g := a.github[login]
	if g == nil || g.suspendedBy == "" || len(g.keys) == 0 {
		return "", false
	}
	return g.suspendedBy, true
}

// Lookup returns the allowlist entry for login.
func (a *Authenticator) Lookup(login string) (Entry, bool) {
	return a.snap.Load().allow.Lookup(login)
}

// Logins returns the allowlisted logins, sorted.
func (a *Authenticator) Logins() []string {
	return a.snap.Load().allow.Logins()
}

// Keys returns an allowlisted login's keys (GitHub cache, then keys file,
// then local keys) and the time of the last successful GitHub fetch.
func (a *Authenticator) Keys(login string) (keys []Key, fetchedAt time.Time) {
	login, err := NormalizeLogin(login)
	if err != nil {
		return nil, time.Time{}
	}
	lk, ok := a.snap.Load().logins[login]
	if !ok {
		return nil, time.Time{}
	}
	return append([]Key(nil), lk.keys...), lk.fetchedAt
}

// Changed returns a channel that is closed the next time the allowlist or
// any key set changes. Each change closes the current channel and makes a
// new one, so the pattern is:
//
//	for {
//		ch := a.Changed() // take the channel first…
//		recheck()         // …then look at the state, so no change is missed
//		select {
//		case <-ch:
//		case <-ctx.Done():
//			return
//		}
//	}
func (a *Authenticator) Changed() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.changed
}

// Ready blocks until Run has finished its initial fetch round (at once when
// fetching is disabled) or ctx ends.
func (a *Authenticator) Ready(ctx context.Context) error {
	select {
	case <-a.ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for initial key fetch: %w", ctx.Err())
	}
}

func (a *Authenticator) markReady() { a.readyOnce.Do(func() { close(a.ready) }) }

// publishLocked builds a new snapshot from the current state and swaps it
// in. When the allowlist or a key set differs from the previous snapshot it
// closes the Changed channel. a.mu must be held.
func (a *Authenticator) publishLocked() {
	allow := MergeAllowlists(a.cli, a.fileAllow)
	if a.opts.LocalLogin != "" {
		allow = allow.with(Entry{Login: a.opts.LocalLogin, Admin: true})
	}
	s := &snapshot{
		allow:    allow,
		logins:   make(map[string]*loginKeys, allow.Len()),
		owners:   make(map[string]keyOwner),
		provable: make(map[string][]string),
	}
	claims := make(map[string][]string) // fingerprint → logins listing it
	for login := range allow.entries {
		lk := &loginKeys{fps: make(map[string]struct{})}
		add := func(keys []Key) {
			for _, k := range keys {
				if _, dup := lk.fps[k.Fingerprint]; dup {
					continue
				}
				lk.fps[k.Fingerprint] = struct{}{}
				lk.keys = append(lk.keys, k)
				claims[k.Fingerprint] = append(claims[k.Fingerprint], login)
			}
		}
		if g := a.github[login]; g != nil && g.suspendedBy == "" {
			add(g.keys)
			lk.githubCount = len(g.keys)
			lk.fetchedAt = g.fetchedAt
		}
		add(a.fileKeys[login])
		if login == a.opts.LocalLogin {
			add(a.localKeys)
		}
		s.logins[login] = lk
	}
	a.resolveClaimsLocked(s, claims)
	old := a.snap.Swap(s)
	if old == nil || !old.sameAs(s) {
		close(a.changed)
		a.changed = make(chan struct{})
	}
}

// sameAs reports whether s and o have the same allowlist, key sets and
// key owners.
func (s *snapshot) sameAs(o *snapshot) bool {
	if !s.allow.equal(o.allow) || len(s.logins) != len(o.logins) || len(s.owners) != len(o.owners) {
		return false
	}
	for fp, own := range s.owners {
		if oown, ok := o.owners[fp]; !ok || oown.login != own.login {
			return false
		}
	}
	for login, lk := range s.logins {
		olk, ok := o.logins[login]
		if !ok || len(lk.fps) != len(olk.fps) {
			return false
		}
		for fp := range lk.fps {
			if _, ok := olk.fps[fp]; !ok {
				return false
			}
		}
	}
	return true
}
