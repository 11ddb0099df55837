package admission

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Defaults for Options fields left zero.
const (
	DefaultPerSource  = 10
	DefaultMaxSources = 65536
)

// Options configures a Gate. Zero fields take the defaults.
type Options struct {
	// MaxStartups is the global cap on unauthenticated connections; default
	// DefaultStartups (10:30:100). A value Startups.Validate rejects is
	// replaced by the default and logged as an error: validate configuration
	// with ParseStartups before it gets here.
	MaxStartups Startups
	// PerSource caps unauthenticated connections per source (IPv4 /32, IPv6
	// /64); default DefaultPerSource. Zero or negative means the default.
	PerSource int
	// Penalties configures per-source penalties; see Penalties.
	Penalties Penalties
	// MaxSources bounds the penalty table; default DefaultMaxSources. When
	// it is full the entry whose penalty ends soonest is evicted.
	MaxSources int
	// Trusted are address ranges exempt from the penalties and from the
	// PerSource cap (a team behind one NAT address), never from
	// MaxStartups. An address is trusted if any range contains it.
	Trusted []netip.Prefix
	// Now is the clock; default time.Now (monotonic).
	Now func() time.Time
	// Rand returns a number in [0, 1) for random early drop; default
	// math/rand/v2.Float64.
	Rand func() float64
	// Logger receives refusals (debug) and penalty activations (info).
	// Nil discards.
	Logger *slog.Logger
}

// Outcome is how a connection ended, as the server saw it.
type Outcome int

const (
	// OutcomeOK: ended normally; never penalised.
	OutcomeOK Outcome = iota
	// OutcomeAuthFail: the client tried to authenticate and failed (an
	// unknown user counts as a failure).
	OutcomeAuthFail
	// OutcomeNoAuth: closed before trying to authenticate, after the
	// client sent something (its version, a key exchange).
	OutcomeNoAuth
	// OutcomeGraceExceeded: the handshake or authentication deadline
	// passed after the client sent something.
	OutcomeGraceExceeded
	// OutcomeRefused: the client proved it holds a login's key, but the
	// login was refused for a reason of policy (it already holds its cap
	// of connections); never penalised.
	OutcomeRefused
	// OutcomeSilent: closed, by the client or at the deadline, before the
	// client sent a single byte: a bare TCP connection (an idle flood, a
	// port scan, a health check). It cost the server a slot under the
	// per-source cap and no handshake, so it is charged as little as
	// OutcomeNoAuth, never as OutcomeGraceExceeded.
	OutcomeSilent
)

// String names o for logs and metrics labels.
func (o Outcome) String() string {
	switch o {
	case OutcomeOK:
		return "ok"
	case OutcomeAuthFail:
		return "authfail"
	case OutcomeNoAuth:
		return "noauth"
	case OutcomeGraceExceeded:
		return "grace-exceeded"
	case OutcomeRefused:
		return "refused"
	case OutcomeSilent:
		return "silent"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Stats is a snapshot of a Gate for metrics.
type Stats struct {
	Unauthenticated int      // connections holding a pre-auth slot
	Sources         int      // entries in the penalty table (≤ MaxSources)
	Penalized       int      // sources with an active penalty (Door + Probation)
	Door            int      // of those, in the door stage: refused outright
	Probation       int      // of those, on probation: admitted to authenticate
	Admitted        uint64   // connections admitted since New
	Trusted         uint64   // of those, from a trusted range
	Evicted         uint64   // penalty entries evicted because the table was full
	Refused         Refused  // connections refused since New, by reason
	Charged         Charged  // connections that added to their source's penalty, by outcome
	OnProbation     Outcomes // connections admitted on probation that have ended, by outcome
}

// Charged counts the connections whose end added to their source's
// penalty, by outcome.
type Charged struct {
	AuthFail      uint64 // OutcomeAuthFail
	NoAuth        uint64 // OutcomeNoAuth
	Silent        uint64 // OutcomeSilent
	GraceExceeded uint64 // OutcomeGraceExceeded
}

func (c *Charged) add(o Outcome) {
	switch o {
	case OutcomeAuthFail:
		c.AuthFail++
	case OutcomeNoAuth:
		c.NoAuth++
	case OutcomeSilent:
		c.Silent++
	case OutcomeGraceExceeded:
		c.GraceExceeded++
	}
}

// Outcomes counts connections by how they ended.
type Outcomes struct {
	OK            uint64 // OutcomeOK: authenticated
	AuthFail      uint64 // OutcomeAuthFail
	NoAuth        uint64 // OutcomeNoAuth
	Silent        uint64 // OutcomeSilent
	GraceExceeded uint64 // OutcomeGraceExceeded
	Refused       uint64 // OutcomeRefused
}

func (c *Outcomes) add(o Outcome) {
	switch o {
	case OutcomeOK:
		c.OK++
	case OutcomeAuthFail:
		c.AuthFail++
	case OutcomeNoAuth:
		c.NoAuth++
	case OutcomeSilent:
		c.Silent++
	case OutcomeGraceExceeded:
		c.GraceExceeded++
	case OutcomeRefused:
		c.Refused++
	}
}

// Refused counts refusals by reason.
type Refused struct {
	Penalized       uint64 // ErrPenalized: the door stage
	Probation       uint64 // ErrProbation: the probation budget spent
	SourceBusy      uint64 // ErrSourceBusy
	TooManyStartups uint64 // ErrTooManyStartups
}

// Gate decides which new connections may start a handshake. It is safe for
// concurrent use.
type Gate struct {
	startups  Startups
	perSource int
	trusted   []netip.Prefix
	now       func() time.Time
	rand      func() float64
	log       *slog.Logger

	// mu guards the following, and the state of every Ticket.
	mu       sync.Mutex
	unauth   int            // connections holding a pre-auth slot
	bySource map[source]int // pre-auth slots held per source; no zero entries
	table    *penaltyTable
	admitted uint64
	exempt   uint64 // admitted from a trusted range
	refused  Refused
	charged  Charged
	onProb   Outcomes // ended connections admitted on probation
}

// New returns a Gate configured by opts.
func New(opts Options) *Gate {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "admission")
	st := opts.MaxStartups
	if st == (Startups{}) {
		st = DefaultStartups
	} else if err := st.Validate(); err != nil {
		log.Error("invalid MaxStartups, using the default", "err", err, "default", DefaultStartups.String())
		st = DefaultStartups
	}
	g := &Gate{
		startups:  st,
		perSource: opts.PerSource,
		trusted:   trustedRanges(opts.Trusted),
		now:       opts.Now,
		rand:      opts.Rand,
		log:       log,
		bySource:  map[source]int{},
	}
	if g.perSource <= 0 {
		g.perSource = DefaultPerSource
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.rand == nil {
		g.rand = rand.Float64
	}
	maxSources := opts.MaxSources
	if maxSources <= 0 {
		maxSources = DefaultMaxSources
	}
	g.table = newPenaltyTable(opts.Penalties.withDefaults(), maxSources)
	return g
}

// Admit decides whether a connection from remote may start its handshake.
// On success the returned Ticket holds a pre-auth slot until Authenticated
// or Close. It refuses with an error wrapping ErrPenalized (the source's
// penalty is in its door stage), ErrSourceBusy, ErrTooManyStartups or
// ErrProbation (the source is on probation and has spent its budget),
// checked in that order; the caller then closes the connection without
// reading from it. A probation token is spent only on a connection every
// other check let through. A trusted address is checked against
// MaxStartups only. Admit never blocks on anything but the Gate's mutex.
func (g *Gate) Admit(remote net.Addr) (*Ticket, error) {
	ip := addrOf(remote)
	src := sourceOf(ip)
	trusted := g.isTrusted(ip)
	// Draw before locking: Rand may be slow or itself locked.
	r := g.rand()
	now := g.now()

	g.mu.Lock()
	defer g.mu.Unlock()
	g.table.expire(now)
	var pen *penalty
	st := stageNone
	if !trusted {
		var door time.Duration
		pen, st, door = g.table.stage(src, now)
		if st == stageDoor {
			g.refused.Penalized++
			left := pen.expiry.Sub(now)
			g.log.Debug("connection refused", "source", src, "reason", "penalty", "stage", st.String(), "door", door, "remaining", left)
			return nil, fmt.Errorf("admit %s: %w: refused for another %s, then on probation until the penalty runs out in %s", src, ErrPenalized, roundUp(door), roundUp(left))
		}
	}
	if n := g.bySource[src]; n >= g.perSource && !trusted {
		g.refused.SourceBusy++
		g.log.Debug("connection refused", "source", src, "reason", "per-source", "unauthenticated", n)
		return nil, fmt.Errorf("admit %s: %w (%d of %d)", src, ErrSourceBusy, n, g.perSource)
	}
	if p := g.startups.dropProbability(g.unauth); p > 0 && r < p {
		g.refused.TooManyStartups++
		g.log.Debug("connection refused", "source", src, "reason", "max-startups", "unauthenticated", g.unauth)
		return nil, fmt.Errorf("admit %s: %w (%d open, max startups %s)", src, ErrTooManyStartups, g.unauth, g.startups)
	}
	if st == stageProbation {
		if wait, ok := g.table.take(pen, now); !ok {
			g.refused.Probation++
			g.log.Debug("connection refused", "source", src, "reason", "probation", "next", wait, "remaining", pen.expiry.Sub(now))
			return nil, fmt.Errorf("admit %s: %w, next in %s", src, ErrProbation, roundUp(wait))
		}
		g.log.Debug("connection admitted on probation", "source", src, "remaining", pen.expiry.Sub(now))
	} else {
		pen = nil
	}
	g.unauth++
	g.admitted++
	if trusted {
		g.exempt++
	} else {
		g.bySource[src]++
	}
	return &Ticket{g: g, src: src, trusted: trusted, probation: pen, holding: true}, nil
}

// isTrusted reports whether ip is in a trusted range.
func (g *Gate) isTrusted(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range g.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// trustedRanges normalises the trusted ranges: IPv4-mapped IPv6 ranges
// become IPv4 ones, as addresses do, and invalid ones are dropped.
func trustedRanges(in []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range in {
		if !p.IsValid() {
			continue
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out
}

// roundUp renders d to the next whole second, so "0s" is never said.
func roundUp(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

// Stats returns a snapshot of g.
func (g *Gate) Stats() Stats {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.table.expire(now)
	door, probation := g.table.stages(now)
	return Stats{
		Unauthenticated: g.unauth,
		Sources:         len(g.table.bySource),
		Penalized:       g.table.active,
		Door:            door,
		Probation:       probation,
		Admitted:        g.admitted,
		Trusted:         g.exempt,
		Evicted:         g.table.evicted,
		Refused:         g.refused,
		Charged:         g.charged,
		OnProbation:     g.onProb,
	}
}

// release frees t's pre-auth slot if it still holds one. g.mu must be held.
func (g *Gate) release(t *Ticket) {
	if !t.holding {
		return
	}
	t.holding = false
	g.unauth--
	if t.trusted {
		return // never counted against its source
	}
	if n := g.bySource[t.src] - 1; n > 0 {
		g.bySource[t.src] = n
	} else {
		delete(g.bySource, t.src)
	}
}

// Ticket is one admitted connection. Its methods are safe for concurrent use
// and idempotent.
type Ticket struct {
	g         *Gate
	src       source
	trusted   bool     // from a trusted range: never penalised, not counted per source
	probation *penalty // admitted on this penalty's probation: spent one of its tokens

	// g.mu guards the following.
	holding       bool // holds a pre-auth slot
	authenticated bool // Authenticated was called before Close
	authFailed    bool // AuthFailed was called
	closed        bool // Close was called
}

// Authenticated records that the connection completed authentication: it
// frees the pre-auth slot, gives back the probation token it spent, if any,
// and the connection is never penalised. It does nothing after Close.
func (t *Ticket) Authenticated() {
	now := t.g.now()
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	if t.closed || t.authenticated {
		return
	}
	t.authenticated = true
	t.g.release(t)
	t.g.table.refund(t.probation, now)
}

// AuthFailed records that an authentication attempt failed. Only the
// outcome Gate.WrapConn derives reads it.
func (t *Ticket) AuthFailed() {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	t.authFailed = true
}

// Close records that the connection ended with outcome: it frees the
// pre-auth slot if still held and, unless the connection authenticated or
// came from a trusted range, adds the outcome's penalty to the source.
// Later calls do nothing.
func (t *Ticket) Close(outcome Outcome) {
	now := t.g.now()
	t.g.mu.Lock()
	until := t.closeLocked(outcome, now)
	t.g.mu.Unlock()
	t.logPenalty(outcome, until)
}

// closeLocked is Close with g.mu held. If this activated the source's
// penalty it returns how long the penalty lasts, else 0.
func (t *Ticket) closeLocked(outcome Outcome, now time.Time) (until time.Duration) {
	g := t.g
	if t.closed {
		return 0
	}
	t.closed = true
	g.release(t)
	if t.probation != nil {
		if t.authenticated {
			outcome = OutcomeOK
		}
		g.onProb.add(outcome)
		if outcome == OutcomeRefused { // a key that checked out: its token back
			g.table.refund(t.probation, now)
		}
	}
	if t.authenticated || t.trusted {
		return 0
	}
	d := g.table.cfg.forOutcome(outcome)
	if d <= 0 {
		return 0
	}
	g.charged.add(outcome)
	g.table.expire(now)
	if g.table.add(t.src, d, now) {
		return g.table.bySource[t.src].expiry.Sub(now)
	}
	return 0
}

// logPenalty logs an activated penalty, outside the lock.
func (t *Ticket) logPenalty(outcome Outcome, until time.Duration) {
	if until > 0 {
		t.g.log.Info("source penalized", "source", t.src, "outcome", outcome.String(), "for", until)
	}
}

// outcome derives how the connection ended from what the ticket saw, for
// WrapConn. g.mu must be held.
func (t *Ticket) outcome(spoke, graceExceeded bool) Outcome {
	switch {
	case t.authenticated:
		return OutcomeOK
	case !spoke && !t.authFailed:
		return OutcomeSilent
	case graceExceeded:
		return OutcomeGraceExceeded
	case t.authFailed:
		return OutcomeAuthFail
	}
	return OutcomeNoAuth
}
