package admission

import (
	"container/heap"
	"time"
)

// Penalties configures per-source penalties, as OpenSSH's
// PerSourcePenalties. Each unauthenticated connection that ends badly adds
// its duration to its source's penalty; the penalty runs out as time passes
// and never exceeds Max. Once the remaining penalty exceeds Min the penalty
// is active, in two stages:
//
//   - the door stage, for FirstStage from activation: every connection from
//     the source is refused before a byte is read, as OpenSSH does;
//   - probation, for the rest of the penalty: connections are admitted as
//     far as authentication, at most ProbationBurst at once and then one per
//     ProbationInterval (a token bucket). A connection that authenticates
//     gets in and gives its token back; one that does not keeps it and, as
//     ever, adds to the penalty, which lengthens the probation.
//
// So a key that authenticates is refused only in the door stage, or while
// its source spends its probation budget on failures; a source that keeps
// failing costs the server at most one handshake per ProbationInterval.
//
// A zero field takes its default; a negative duration means zero (that
// event adds nothing; a zero FirstStage goes straight to probation), but a
// ProbationInterval or ProbationBurst below one takes its default: probation
// is never unlimited.
type Penalties struct {
	AuthFail      time.Duration // authentication attempted and failed; default 5s
	NoAuth        time.Duration // closed without trying to authenticate; default 1s
	Silent        time.Duration // closed, by either side, before the client sent a byte; default 1s
	GraceExceeded time.Duration // handshake/auth deadline passed after the client spoke; default 10s
	Min           time.Duration // activate once the penalty exceeds this; default 15s
	Max           time.Duration // cap on one source's penalty; default 10m

	FirstStage        time.Duration // door stage of an active penalty; default 15s
	ProbationInterval time.Duration // on probation, one new connection per interval; default 1s
	ProbationBurst    int           // on probation, connections admitted at once; default 4
}

// DefaultPenalties are OpenSSH 9.8's defaults for the durations, plus the
// stages and the silent outcome OpenSSH does not have.
var DefaultPenalties = Penalties{
	AuthFail:          5 * time.Second,
	NoAuth:            time.Second,
	Silent:            time.Second,
	GraceExceeded:     10 * time.Second,
	Min:               15 * time.Second,
	Max:               10 * time.Minute,
	FirstStage:        15 * time.Second,
	ProbationInterval: time.Second,
	ProbationBurst:    4,
}

// withDefaults fills zero fields from DefaultPenalties and clamps negative
// ones to zero.
func (p Penalties) withDefaults() Penalties {
	fill := func(v *time.Duration, def time.Duration) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0:
			*v = 0
		}
	}
	fill(&p.AuthFail, DefaultPenalties.AuthFail)
	fill(&p.NoAuth, DefaultPenalties.NoAuth)
	fill(&p.Silent, DefaultPenalties.Silent)
	fill(&p.GraceExceeded, DefaultPenalties.GraceExceeded)
	fill(&p.Min, DefaultPenalties.Min)
	fill(&p.Max, DefaultPenalties.Max)
	fill(&p.FirstStage, DefaultPenalties.FirstStage)
	// A probation interval of zero would admit without limit.
	if p.ProbationInterval <= 0 {
		p.ProbationInterval = DefaultPenalties.ProbationInterval
	}
	if p.ProbationBurst <= 0 {
		p.ProbationBurst = DefaultPenalties.ProbationBurst
	}
	return p
}

// forOutcome is the penalty an unauthenticated connection earns by ending
// with o.
func (p Penalties) forOutcome(o Outcome) time.Duration {
	switch o {
	case OutcomeAuthFail:
		return p.AuthFail
	case OutcomeNoAuth:
		return p.NoAuth
	case OutcomeSilent:
		return p.Silent
	case OutcomeGraceExceeded:
		return p.GraceExceeded
	}
	return 0
}

// penalty is one source's entry in the penalty table.
type penalty struct {
	src       source
	expiry    time.Time // the penalty has run out at expiry
	active    bool      // the remaining penalty exceeded Min
	activated time.Time // when active was set; the door stage starts here
	// next is the probation token bucket as a virtual clock (GCRA): each
	// admission moves it on by ProbationInterval, a refund moves it back,
	// and a connection is admitted while next is at most
	// (ProbationBurst-1) intervals ahead of now.
	next  time.Time
	index int // position in the heap
}

// stage is where a source stands with its penalty.
type stage int

const (
	stageNone      stage = iota // no active penalty: admitted as any source
	stageDoor                   // refused before a byte is read
	stageProbation              // admitted as far as authentication, rate-limited
)

// String names s for logs and metrics labels.
func (s stage) String() string {
	switch s {
	case stageDoor:
		return "door"
	case stageProbation:
		return "probation"
	}
	return "none"
}

// penaltyTable is a bounded set of penalties, indexed by source and ordered
// by expiry (a min-heap), so expired entries and the entry to evict are
// found at the top. It is not safe for concurrent use; the Gate's mutex
// guards it.
type penaltyTable struct {
	cfg      Penalties
	max      int
	bySource map[source]*penalty
	byExpiry expiryHeap
	active   int    // entries with active set
	evicted  uint64 // entries dropped because the table was full
}

func newPenaltyTable(cfg Penalties, max int) *penaltyTable {
	return &penaltyTable{cfg: cfg, max: max, bySource: map[source]*penalty{}}
}

// expire drops every entry whose penalty has run out by now.
func (t *penaltyTable) expire(now time.Time) {
	for len(t.byExpiry) > 0 && !t.byExpiry[0].expiry.After(now) {
		t.remove(t.byExpiry[0])
	}
}

func (t *penaltyTable) remove(p *penalty) {
	heap.Remove(&t.byExpiry, p.index)
	delete(t.bySource, p.src)
	if p.active {
		t.active--
	}
}

// refusing returns how long src's penalty still runs, or 0 if it is not
// active. Call expire first.
func (t *penaltyTable) refusing(src source, now time.Time) time.Duration {
	p := t.bySource[src]
	if p == nil || !p.active {
		return 0
	}
	return p.expiry.Sub(now)
}

// stage returns src's entry and its stage at now; for the door stage, also
// how long it still lasts. Call expire first.
func (t *penaltyTable) stage(src source, now time.Time) (*penalty, stage, time.Duration) {
	p := t.bySource[src]
	if p == nil || !p.active {
		return p, stageNone, 0
	}
	return p, p.stageAt(t.cfg.FirstStage, now), p.doorLeft(t.cfg.FirstStage, now)
}

// stageAt is p's stage at now, for a door stage of length first.
func (p *penalty) stageAt(first time.Duration, now time.Time) stage {
	switch {
	case !p.active:
		return stageNone
	case p.doorLeft(first, now) > 0:
		return stageDoor
	}
	return stageProbation
}

// doorLeft is how long p's door stage still lasts at now: up to first from
// activation, and never past the penalty itself.
func (p *penalty) doorLeft(first time.Duration, now time.Time) time.Duration {
	end := p.activated.Add(first)
	if p.expiry.Before(end) {
		end = p.expiry
	}
	if !end.After(now) {
		return 0
	}
	return end.Sub(now)
}

// take spends one of p's probation tokens at now. If none is left it
// reports false and how long until the next one.
func (t *penaltyTable) take(p *penalty, now time.Time) (wait time.Duration, ok bool) {
	next := p.next
	if next.Before(now) {
		next = now
	}
	tolerance := time.Duration(t.cfg.ProbationBurst-1) * t.cfg.ProbationInterval
	if ahead := next.Sub(now); ahead > tolerance {
		return ahead - tolerance, false
	}
	p.next = next.Add(t.cfg.ProbationInterval)
	return 0, true
}

// refund gives back a token p's probation spent on a connection that
// authenticated. It does nothing if p has left the table (expired or
// evicted): a later entry for the same source owes that connection nothing.
func (t *penaltyTable) refund(p *penalty, now time.Time) {
	if p == nil || t.bySource[p.src] != p {
		return
	}
	p.next = p.next.Add(-t.cfg.ProbationInterval)
	if p.next.Before(now) {
		p.next = now
	}
}

// stages counts the active entries in each stage at now. It walks the
// whole table: for Stats, once a scrape.
func (t *penaltyTable) stages(now time.Time) (door, probation int) {
	for _, p := range t.byExpiry {
		switch p.stageAt(t.cfg.FirstStage, now) {
		case stageDoor:
			door++
		case stageProbation:
			probation++
		}
	}
	return door, probation
}

// add charges d to src's penalty. It reports whether this activated the
// penalty. Call expire first.
func (t *penaltyTable) add(src source, d time.Duration, now time.Time) (activated bool) {
	if d <= 0 {
		return false
	}
	p := t.bySource[src]
	if p == nil {
		if len(t.byExpiry) >= t.max {
			t.remove(t.byExpiry[0]) // the penalty that ends soonest
			t.evicted++
		}
		p = &penalty{src: src, expiry: now}
		t.bySource[src] = p
		heap.Push(&t.byExpiry, p)
	}
	p.expiry = p.expiry.Add(d)
	if limit := now.Add(t.cfg.Max); p.expiry.After(limit) {
		p.expiry = limit
	}
	heap.Fix(&t.byExpiry, p.index)
	if !p.active && p.expiry.Sub(now) > t.cfg.Min {
		p.active = true
		p.activated = now
		t.active++
		return true
	}
	return false
}

// expiryHeap implements heap.Interface over penalties, soonest expiry first.
type expiryHeap []*penalty

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expiry.Before(h[j].expiry) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *expiryHeap) Push(x any) {
	p := x.(*penalty)
	p.index = len(*h)
	*h = append(*h, p)
}

func (h *expiryHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	p.index = -1
	return p
}
