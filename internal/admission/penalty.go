package admission

import (
	"container/heap"
	"time"
)

// Penalties configures per-source penalties, as OpenSSH's
// PerSourcePenalties. Each unauthenticated connection that ends badly adds
// its duration to its source's penalty; the penalty runs out as time passes
// and never exceeds Max. Once the remaining penalty exceeds Min the source is
// refused until the penalty has run out. A zero field takes its default; a
// negative one means zero (that event adds nothing).
type Penalties struct {
	AuthFail      time.Duration // authentication attempted and failed; default 5s
	NoAuth        time.Duration // closed without trying to authenticate; default 1s
	GraceExceeded time.Duration // handshake/auth deadline passed; default 10s
	Min           time.Duration // refuse once the penalty exceeds this; default 15s
	Max           time.Duration // cap on one source's penalty; default 10m
}

// DefaultPenalties are OpenSSH 9.8's defaults.
var DefaultPenalties = Penalties{
	AuthFail:      5 * time.Second,
	NoAuth:        time.Second,
	GraceExceeded: 10 * time.Second,
	Min:           15 * time.Second,
	Max:           10 * time.Minute,
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
	fill(&p.GraceExceeded, DefaultPenalties.GraceExceeded)
	fill(&p.Min, DefaultPenalties.Min)
	fill(&p.Max, DefaultPenalties.Max)
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
	case OutcomeGraceExceeded:
		return p.GraceExceeded
	}
	return 0
}

// penalty is one source's entry in the penalty table.
type penalty struct {
	src    source
	expiry time.Time // the penalty has run out at expiry
	active bool      // refusing: the remaining penalty exceeded Min
	index  int       // position in the heap
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

// refusing returns how long src is still refused for, or 0. Call expire
// first.
func (t *penaltyTable) refusing(src source, now time.Time) time.Duration {
	p := t.bySource[src]
	if p == nil || !p.active {
		return 0
	}
	return p.expiry.Sub(now)
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
