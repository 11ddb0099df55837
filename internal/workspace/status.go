package workspace

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"
)

// How fresh List keeps the git state of each repository (see statusCache).
const (
	// statusMaxAge: a workspace listed lately is checked again once its
	// last check is this old.
	statusMaxAge = 5 * time.Second
	// statusMinGap: a workspace whose session wrote something since its
	// last check is checked again this long after that check at the soonest.
	statusMinGap = 2 * time.Second
	// statusWatch: a workspace listed within this long is kept fresh by
	// age; others only after activity, or when listed again.
	statusWatch = 5 * time.Minute
	// statusTick is how often the refresher looks for checks that are due.
	statusTick = time.Second
	// statusMissWait is how long List waits for the first check of a
	// workspace it has no state for yet.
	statusMissWait = 20 * time.Millisecond
	// statusWorkers is how many `git status` run at once, for all logins.
	statusWorkers = 2
	// statusActiveCost and statusIdleCost bound the share of time spent on
	// one costly repository: a check that took d is repeated after
	// activity no sooner than statusActiveCost*d after it began, and by
	// age no sooner than statusIdleCost*d.
	statusActiveCost = 3
	statusIdleCost   = 10
	// statusSlow is a check slow enough to say so in the debug log.
	statusSlow = 100 * time.Millisecond
	// statusQueue bounds the checks waiting for a worker; more wait for the
	// next tick.
	statusQueue = 1024
)

// errNotRepo means a workspace checked in the background is not (or no
// longer) a repository git may be run in.
var errNotRepo = errors.New("not a repository")

// statusKey names one workspace of one login.
type statusKey struct{ login, name string }

// statusEntry is the git state of one workspace, as last checked.
type statusEntry struct {
	known   bool          // a check has ended (a failed one leaves dirty as it was, false at first)
	branch  string        // what the last good check said
	dirty   bool          // what the last good check said
	checked time.Time     // when the last check began; zero before the first
	took    time.Duration // how long the last check ran
	listed  time.Time     // when List last showed the workspace
	queued  bool          // waiting for a worker, or being checked
	first   chan struct{} // closed when the first check ends (or the entry goes); nil after
}

// statusCache keeps the branch and dirty state of every listed repository
// so that List never waits for git: a bounded pool of workers runs `git
// status` (Manager.status, the one place git runs for display) off the
// request path, on a schedule a user would expect. A workspace is checked
// when first listed (List waits statusMissWait for that answer), within a
// tick or two after its session wrote something (Options.Activity), but
// not sooner than statusMinGap after its last check, and, while it is
// being looked at (listed within statusWatch), whenever its last check is
// older than statusMaxAge. A check of a costly repository spaces its
// successors out (statusActiveCost, statusIdleCost). An entry goes when its workspace is deleted
// or no longer listed; every git process is killed at its timeout, or at
// Close.
type statusCache struct {
	m        *Manager
	activity func(login, name string) time.Time // nil: none known

	// The schedule: the constants above, which tests may lower before the
	// first List.
	maxAge, minGap, watch, tick, missWait time.Duration
	workers                               int

	ctx    context.Context // ends at close: checks in flight are killed
	cancel context.CancelFunc
	jobs   chan statusKey
	wg     sync.WaitGroup // the workers and the refresher

	mu sync.Mutex
	// mu guards the following.
	entries map[statusKey]*statusEntry
	started bool // the workers and the refresher run
	closed  bool
}

func newStatusCache(m *Manager, activity func(login, name string) time.Time) *statusCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &statusCache{
		m: m, activity: activity,
		maxAge: statusMaxAge, minGap: statusMinGap, watch: statusWatch, tick: statusTick,
		missWait: statusMissWait, workers: statusWorkers,
		ctx: ctx, cancel: cancel,
		jobs:    make(chan statusKey, statusQueue),
		entries: make(map[statusKey]*statusEntry),
	}
}

// startLocked starts the workers and the refresher once, unless closed.
// They end when close cancels c.ctx; close waits for them.
func (c *statusCache) startLocked() {
	if c.started || c.closed {
		return
	}
	c.started = true
	for range c.workers {
		c.wg.Go(c.work)
	}
	c.wg.Go(c.refresh)
}

// close stops the workers and the refresher, kills the checks in flight
// and waits for them. List goes on with the last known state and runs no
// git.
func (c *statusCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
}

// work runs the queued checks until c.ctx ends.
func (c *statusCache) work() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case k := <-c.jobs:
			c.check(k)
		}
	}
}

// refresh queues the checks that are due, every tick, until c.ctx ends.
func (c *statusCache) refresh() {
	t := time.NewTicker(c.tick)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case now := <-t.C:
			c.sweep(now)
		}
	}
}

// sweep queues every entry whose check is due at now. Activity is asked
// without the lock: it may take the caller's own locks.
func (c *statusCache) sweep(now time.Time) {
	type candidate struct {
		k       statusKey
		e       *statusEntry
		checked time.Time
		listed  time.Time
		took    time.Duration
	}
	var cands []candidate
	c.mu.Lock()
	for k, e := range c.entries {
		switch {
		case e.queued:
		case !e.known: // its first check found the queue full
			c.enqueueLocked(k, e)
		default:
			cands = append(cands, candidate{k, e, e.checked, e.listed, e.took})
		}
	}
	c.mu.Unlock()
	var due []candidate
	for _, cd := range cands {
		var act time.Time
		if c.activity != nil {
			act = c.activity(cd.k.login, cd.k.name)
		}
		if c.due(now, cd.checked, cd.listed, cd.took, act) {
			due = append(due, cd)
		}
	}
	if len(due) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cd := range due {
		// Not if it went, or was checked meanwhile.
		if c.entries[cd.k] == cd.e && cd.e.checked.Equal(cd.checked) {
			c.enqueueLocked(cd.k, cd.e)
		}
	}
}

// due reports whether a workspace last checked at checked (taking took),
// listed at listed, whose session was last active at act, is due for a
// check at now.
func (c *statusCache) due(now, checked, listed time.Time, took time.Duration, act time.Time) bool {
	since := now.Sub(checked)
	switch {
	case since < max(c.minGap, statusActiveCost*took):
		return false
	case act.After(checked):
		return true
	default:
		return now.Sub(listed) < c.watch && since >= max(c.maxAge, statusIdleCost*took)
	}
}

// enqueueLocked queues a check of k unless one is queued already or the
// queue is full (the next tick tries again).
func (c *statusCache) enqueueLocked(k statusKey, e *statusEntry) {
	if e.queued || c.closed {
		return
	}
	select {
	case c.jobs <- k:
		e.queued = true
	default:
	}
}

// check runs one `git status` for k and records what it says.
func (c *statusCache) check(k statusKey) {
	c.mu.Lock()
	e := c.entries[k]
	if e == nil { // the workspace went while the check waited
		c.mu.Unlock()
		return
	}
	started := time.Now()
	e.checked = started
	c.mu.Unlock()

	branch, dirty, err := c.m.repoStatus(c.ctx, k.login, k.name)
	took := time.Since(started)
	switch {
	case err != nil:
		c.m.log.Debug("git status", "login", k.login, "workspace", k.name, "took", took, "err", err)
	case took > statusSlow:
		c.m.log.Debug("git status is slow here: checked less often", "login", k.login, "workspace", k.name, "took", took)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[k] != e { // it went, or went and came back, meanwhile
		return
	}
	e.queued, e.took, e.known = false, took, true
	if err == nil {
		e.branch, e.dirty = branch, dirty
	}
	if e.first != nil {
		close(e.first)
		e.first = nil
	}
}

// fill sets Dirty, and Branch where .git/HEAD did not give it (fromHead
// false: a gitfile), of the repositories in out (login's whole listing)
// from the cache. Workspaces seen for the first time are queued, and fill
// waits up to missWait for them; entries of login's workspaces no longer
// in out are dropped.
func (c *statusCache) fill(ctx context.Context, login string, out []Info, fromHead []bool) {
	now := time.Now()
	var waits []chan struct{}
	c.mu.Lock()
	c.startLocked()
	listed := make(map[string]bool, len(out))
	for i := range out {
		if !out[i].Repo {
			continue
		}
		listed[out[i].Name] = true
		k := statusKey{login, out[i].Name}
		e := c.entries[k]
		if e == nil {
			if c.closed {
				continue
			}
			e = &statusEntry{first: make(chan struct{})}
			c.entries[k] = e
			c.enqueueLocked(k, e)
		}
		e.listed = now
		if e.first != nil {
			waits = append(waits, e.first)
		}
	}
	for k, e := range c.entries {
		if k.login == login && !listed[k.name] {
			c.dropLocked(k, e)
		}
	}
	c.mu.Unlock()

	if len(waits) > 0 {
		t := time.NewTimer(c.missWait)
		defer t.Stop()
	wait:
		for _, w := range waits {
			select {
			case <-w:
			case <-t.C:
				break wait
			case <-ctx.Done():
				break wait
			}
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range out {
		if e := c.entries[statusKey{login, out[i].Name}]; out[i].Repo && e != nil && e.known {
			out[i].Dirty = e.dirty
			if !fromHead[i] {
				out[i].Branch = e.branch
			}
		}
	}
}

// forget drops the state of one workspace (deleted).
func (c *statusCache) forget(login, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := statusKey{login, name}
	if e := c.entries[k]; e != nil {
		c.dropLocked(k, e)
	}
}

func (c *statusCache) dropLocked(k statusKey, e *statusEntry) {
	delete(c.entries, k)
	if e.first != nil {
		close(e.first)
		e.first = nil
	}
}

// repoStatus checks, through login's root, that the workspace is still a
// repository whose .git is not a symlink, and runs `git status` in it.
func (m *Manager) repoStatus(ctx context.Context, login, name string) (branch string, dirty bool, err error) {
	r, err := m.loginRoot(login, false)
	if err != nil {
		return "", false, err
	}
	gfi, err := r.Lstat(name + "/.git")
	r.Close()
	switch {
	case err != nil:
		return "", false, err
	case !gfi.IsDir() && !gfi.Mode().IsRegular():
		return "", false, errNotRepo
	}
	return m.status(ctx, login, filepath.Join(m.root, login, name))
}
