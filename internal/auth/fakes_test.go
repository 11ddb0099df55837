package auth

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/store"
)

// fakeStore is an in-memory KeyStore and Auditor.
type fakeStore struct {
	mu          sync.Mutex // mu guards the following
	sets        map[string]store.KeySet
	fetchErrors []string // "login: reason"
	events      []store.Event
	claims      map[claimID]store.KeyClaim
	claimErr    error // when set, UpdateKeyClaims fails with it
}

var (
	_ KeyStore = (*fakeStore)(nil)
	_ Auditor  = (*fakeStore)(nil)
)

func newFakeStore() *fakeStore {
	return &fakeStore{sets: make(map[string]store.KeySet), claims: make(map[claimID]store.KeyClaim)}
}

func (s *fakeStore) KeyClaims(context.Context) ([]store.KeyClaim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.KeyClaim
	for _, id := range sortedIDs(s.claims) {
		out = append(out, s.claims[id])
	}
	return out, nil
}

// UpdateKeyClaims applies put and drop as the store does, refusing a
// second holder of one key.
func (s *fakeStore) UpdateKeyClaims(_ context.Context, put, drop []store.KeyClaim) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.claimErr != nil {
		return s.claimErr
	}
	next := maps.Clone(s.claims)
	for _, c := range drop {
		delete(next, claimID{c.Fingerprint, c.Login})
	}
	for _, c := range put {
		next[claimID{c.Fingerprint, c.Login}] = c
	}
	holders := map[string]string{}
	for _, c := range next {
		if !c.Holder {
			continue
		}
		if h, ok := holders[c.Fingerprint]; ok {
			return fmt.Errorf("two holders of %s: %s and %s: %w", c.Fingerprint, h, c.Login, store.ErrConflict)
		}
		holders[c.Fingerprint] = c.Login
	}
	s.claims = next
	return nil
}

// claimsOf renders the stored claims of fp, one per line, sorted:
// "login holder|refused how" for fingerprint fp.
func (s *fakeStore) claimsOf(fp string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range sortedIDs(s.claims) {
		c := s.claims[id]
		if c.Fingerprint != fp {
			continue
		}
		role := "refused"
		if c.Holder {
			role = "holder " + c.How
		}
		out = append(out, c.Login+" "+role)
	}
	return out
}

// eventsOf returns "kind login detail" for the audit events of kind.
func (s *fakeStore) eventsOf(kind string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events {
		if e.Kind == kind {
			out = append(out, e.Kind+" "+e.Login+" "+e.Detail)
		}
	}
	return out
}

func (s *fakeStore) KeySet(_ context.Context, login string) (store.KeySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ks, ok := s.sets[login]
	if !ok {
		return store.KeySet{}, store.ErrNotFound
	}
	return ks, nil
}

func (s *fakeStore) KeySets(context.Context) ([]store.KeySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.KeySet
	for _, ks := range s.sets {
		out = append(out, ks)
	}
	return out, nil
}

func (s *fakeStore) ReplaceKeys(_ context.Context, login string, keys []string, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.sets[login]
	changed := !slices.Equal(old.Keys, keys)
	s.sets[login] = store.KeySet{Login: login, Keys: slices.Clone(keys), FetchedAt: at, CheckedAt: at}
	return changed, nil
}

func (s *fakeStore) RecordFetchError(_ context.Context, login, reason string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ks := s.sets[login]
	ks.Login, ks.CheckedAt, ks.LastError = login, at, reason
	s.sets[login] = ks
	s.fetchErrors = append(s.fetchErrors, login+": "+reason)
	return nil
}

func (s *fakeStore) AddEvent(_ context.Context, e store.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	return nil
}

// kinds returns the kinds of the audit events recorded for login.
func (s *fakeStore) kinds(login string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events {
		if e.Login == login {
			out = append(out, e.Kind)
		}
	}
	return out
}

func (s *fakeStore) set(login string, at time.Time, keys ...ssh.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []string
	for _, k := range keys {
		lines = append(lines, line(k, ""))
	}
	s.sets[login] = store.KeySet{Login: login, Keys: lines, FetchedAt: at, CheckedAt: at}
}

// fakeGitHub serves /LOGIN.keys from per-login canned responses (404 by
// default) and counts requests per login.
type fakeGitHub struct {
	srv *httptest.Server

	mu       sync.Mutex // mu guards the following
	resp     map[string]response
	requests map[string]int
	block    chan struct{} // when non-nil, requests wait for it to close
}

type response struct {
	status int
	ctype  string
	body   string
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	g := &fakeGitHub{resp: make(map[string]response), requests: make(map[string]int)}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".keys")
	g.mu.Lock()
	g.requests[login]++
	resp, ok := g.resp[login]
	block := g.block
	g.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-r.Context().Done():
			return
		}
	}
	if !ok {
		resp = response{status: 404, ctype: "text/plain", body: "Not Found"}
	}
	w.Header().Set("Content-Type", resp.ctype)
	w.WriteHeader(resp.status)
	_, _ = w.Write([]byte(resp.body))
}

func (g *fakeGitHub) set(login string, r response) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.resp[login] = r
}

// keys makes login's key list the given keys (200 text/plain).
func (g *fakeGitHub) keys(login string, keys ...ssh.PublicKey) {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintln(&b, line(k, "from-github"))
	}
	g.set(login, response{status: 200, ctype: "text/plain; charset=utf-8", body: b.String()})
}

func (g *fakeGitHub) count(login string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests[login]
}

func (g *fakeGitHub) total() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, c := range g.requests {
		n += c
	}
	return n
}

// fakeClock is an injectable Now.
type fakeClock struct {
	mu sync.Mutex // mu guards the following
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logRecorder captures log records so tests can wait for a decision the
// code logs instead of sleeping.
type logRecorder struct {
	mu   sync.Mutex // mu guards the following
	recs []string   // "LEVEL msg k=v …"
}

type recHandler struct {
	r     *logRecorder
	attrs []slog.Attr
}

func (h recHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h recHandler) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", rec.Level, rec.Message)
	for _, a := range h.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	rec.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.r.mu.Lock()
	defer h.r.mu.Unlock()
	h.r.recs = append(h.r.recs, b.String())
	return nil
}

func (h recHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return recHandler{r: h.r, attrs: append(slices.Clone(h.attrs), as...)}
}

func (h recHandler) WithGroup(string) slog.Handler { return h }

// count returns how many records contain every one of parts.
func (r *logRecorder) count(parts ...string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
next:
	for _, rec := range r.recs {
		for _, p := range parts {
			if !strings.Contains(rec, p) {
				continue next
			}
		}
		n++
	}
	return n
}

// eventually polls cond until it holds or the deadline passes.
// closed reports whether ch, from Changed, has fired already.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// harness bundles an Authenticator with its fakes.
type harness struct {
	a     *Authenticator
	gh    *fakeGitHub
	store *fakeStore
	clock *fakeClock
	logs  *logRecorder
	opts  Options // as New got them
}

// newHarness builds an Authenticator over fresh fakes; edit adjusts the
// options (GitHubURL, Store, Audit, Logger and Now are preset).
func newHarness(t *testing.T, edit func(*Options), prepare ...func(*harness)) *harness {
	t.Helper()
	h := &harness{gh: newFakeGitHub(t), store: newFakeStore(), clock: newFakeClock(), logs: &logRecorder{}}
	for _, p := range prepare {
		p(h)
	}
	opts := Options{
		GitHubURL:  h.gh.srv.URL,
		HTTPClient: h.gh.srv.Client(),
		Store:      h.store,
		Audit:      h.store,
		Logger:     slog.New(recHandler{r: h.logs}),
		Now:        h.clock.Now,
	}
	if edit != nil {
		edit(&opts)
	}
	a, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.a, h.opts = a, opts
	return h
}

// run starts a.Run and stops it (checking it returns nil) at cleanup.
func (h *harness) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.a.Run(ctx) }() // ends when cancel is called at cleanup
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v; want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after its context ended")
		}
	})
}

func (h *harness) ready(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.a.Ready(ctx); err != nil {
		t.Fatal(err)
	}
}

// writeFile writes data to name in dir and returns the path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
