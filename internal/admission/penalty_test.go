package admission

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// penalise gives src an active penalty of n authentication failures
// (n×5s with the defaults), all ending at once as concurrent connections
// do.
func penalise(t *testing.T, g *Gate, src string, n int) {
	t.Helper()
	var open []*Ticket
	for range n {
		open = append(open, admit(t, g, src))
	}
	for _, tk := range open {
		tk.Close(OutcomeAuthFail)
	}
}

// TestIdleFloodNotPenalised: connections that never sent a byte are
// silent, however they ended; a source's whole per-source cap of them at
// once stays below Min, where the same number of stalled handshakes locks
// the source out.
func TestIdleFloodNotPenalised(t *testing.T) {
	tests := []struct {
		name      string
		outcome   Outcome
		penalized bool
	}{
		{name: "silent, closed at the grace time", outcome: OutcomeSilent, penalized: false},
		{name: "closed after the version, without trying", outcome: OutcomeNoAuth, penalized: false},
		{name: "handshake stalled past the grace time", outcome: OutcomeGraceExceeded, penalized: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			g := New(Options{Now: clk.Now, Rand: never})
			var open []*Ticket
			for range DefaultPerSource {
				open = append(open, admit(t, g, "192.0.2.1:22"))
			}
			refuse(t, g, "192.0.2.1:22", ErrSourceBusy) // the cap holds while they are open
			for _, tk := range open {
				tk.Close(tt.outcome)
			}
			_, err := g.Admit(addr("192.0.2.1:22"))
			if got := errors.Is(err, ErrPenalized); got != tt.penalized {
				t.Errorf("refused for a penalty: got %v (%v); want %v", got, err, tt.penalized)
			}
		})
	}
}

// TestPenaltyStages walks one penalty through its stages: the door, then
// probation, where a key gets in and gives its token back, failures spend
// the budget and extend the penalty without closing the door again, and the
// budget refills one token per interval.
func TestPenaltyStages(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never})
	const src = "192.0.2.7:22"
	penalise(t, g, src, 8) // 40s, active at once

	// The door stage: refused before a byte is read, for 15s.
	err := refuse(t, g, src, ErrPenalized)
	if !strings.Contains(err.Error(), "another 15s") || !strings.Contains(err.Error(), "in 40s") {
		t.Errorf("door error: got %q; want 15s of door and 40s of penalty", err)
	}
	if st := g.Stats(); st.Penalized != 1 || st.Door != 1 || st.Probation != 0 {
		t.Errorf("door stats: got %+v; want 1 source at the door", st)
	}
	clk.Advance(15*time.Second - time.Millisecond)
	refuse(t, g, src, ErrPenalized)
	clk.Advance(time.Millisecond)

	// Probation: a key that authenticates gets in, as often as it likes.
	for range 10 {
		tk := admit(t, g, src)
		tk.Authenticated()
		tk.Close(OutcomeOK)
	}
	if st := g.Stats(); st.Penalized != 1 || st.Door != 0 || st.Probation != 1 || st.OnProbation.OK != 10 {
		t.Errorf("probation stats: got %+v; want 1 source on probation, 10 authenticated", st)
	}
	left := g.table.refusing(sourceOf(addrOf(addr(src))), clk.Now())
	if left != 25*time.Second {
		t.Errorf("penalty after authenticated connections: got %v; want 25s, neither cut nor grown", left)
	}

	// Failures spend the budget (4 at once) and each adds its penalty.
	for range 4 {
		admit(t, g, src).Close(OutcomeAuthFail)
	}
	err = refuse(t, g, src, ErrProbation)
	if !strings.Contains(err.Error(), "next in 1s") {
		t.Errorf("probation error: got %q; want the next token in 1s", err)
	}
	if got := g.table.refusing(sourceOf(addrOf(addr(src))), clk.Now()); got != 45*time.Second {
		t.Errorf("penalty after 4 failures on probation: got %v; want 45s", got)
	}
	// Still probation, not the door: the door stage happens once.
	if st := g.Stats(); st.Door != 0 || st.Probation != 1 || st.Refused.Probation != 1 || st.OnProbation.AuthFail != 4 {
		t.Errorf("stats after failures: got %+v; want on probation, 1 refused for it, 4 authfail", st)
	}

	// One token per interval.
	clk.Advance(time.Second)
	admit(t, g, src).Close(OutcomeNoAuth)
	refuse(t, g, src, ErrProbation)

	// A key waits at most one interval after the failures stop.
	clk.Advance(time.Second)
	tk := admit(t, g, src)
	tk.Authenticated()
	tk.Close(OutcomeOK)

	// The penalty runs out: an ordinary source again.
	clk.Advance(time.Hour)
	for range 5 {
		admit(t, g, src).Close(OutcomeOK)
	}
	if st := g.Stats(); st.Penalized != 0 || st.Sources != 0 {
		t.Errorf("after expiry: got %+v; want nothing penalised", st)
	}
}

// TestProbationBoundsHandshakes: a source that keeps failing on probation
// is admitted at most ProbationBurst + elapsed/ProbationInterval times,
// however fast it tries. Its penalty never runs out meanwhile: failures
// that cost more than the interval grow it to Max; those that cost one
// interval (1s) hold it where it was.
func TestProbationBoundsHandshakes(t *testing.T) {
	tests := []struct {
		name    string
		outcome Outcome
		atLeast time.Duration // the penalty left at the end
	}{
		{name: "wrong keys", outcome: OutcomeAuthFail, atLeast: DefaultPenalties.Max - time.Second},
		{name: "handshake then hang up", outcome: OutcomeNoAuth, atLeast: 20 * time.Second},
		{name: "connect and hang up", outcome: OutcomeSilent, atLeast: 20 * time.Second},
		{name: "stall to the grace time", outcome: OutcomeGraceExceeded, atLeast: DefaultPenalties.Max - time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			g := New(Options{Now: clk.Now, Rand: never})
			const src = "192.0.2.7:22"
			penalise(t, g, src, 8)
			clk.Advance(15 * time.Second)
			const span = 10 * time.Minute
			admitted := 0
			for elapsed := time.Duration(0); elapsed < span; elapsed += 10 * time.Millisecond {
				if tk, err := g.Admit(addr(src)); err == nil {
					admitted++
					tk.Close(tt.outcome)
				} else if !errors.Is(err, ErrProbation) {
					t.Fatalf("at %v: got %v; want ErrProbation", elapsed, err)
				}
				clk.Advance(10 * time.Millisecond)
			}
			if max := DefaultPenalties.ProbationBurst + int(span/DefaultPenalties.ProbationInterval); admitted > max || admitted < max-1 {
				t.Errorf("admitted in %v: got %d; want %d", span, admitted, max)
			}
			if got := g.table.refusing(sourceOf(addrOf(addr(src))), clk.Now()); got < tt.atLeast {
				t.Errorf("penalty after %v of failures: got %v; want at least %v", span, got, tt.atLeast)
			}
		})
	}
}

// TestProbationRefunds: a connection that proves a key gives its token
// back, whether it authenticated or was refused by policy after the key
// checked out; a refund never reaches a later penalty of the same source.
func TestProbationRefunds(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{ProbationBurst: 1}})
	const src = "192.0.2.7:22"
	penalise(t, g, src, 8)
	clk.Advance(15 * time.Second)

	tk := admit(t, g, src) // the only token
	refuse(t, g, src, ErrProbation)
	tk.Authenticated()
	tk.Authenticated() // one refund only
	held := admit(t, g, src)
	refuse(t, g, src, ErrProbation)
	held.Close(OutcomeRefused)
	admit(t, g, src).Close(OutcomeAuthFail) // spent, not refunded
	refuse(t, g, src, ErrProbation)
	tk.Close(OutcomeOK)
	if st := g.Stats(); st.OnProbation != (Outcomes{OK: 1, Refused: 1, AuthFail: 1}) {
		t.Errorf("OnProbation: got %+v; want 1 ok, 1 refused, 1 authfail", st.OnProbation)
	}

	// A ticket from an expired penalty refunds nothing to the next one.
	clk.Advance(time.Second)
	stale := admit(t, g, src)
	clk.Advance(time.Hour) // the penalty runs out
	penalise(t, g, src, 8)
	clk.Advance(15 * time.Second)
	admit(t, g, src)
	stale.Authenticated()
	refuse(t, g, src, ErrProbation)
}

// TestFirstStageZero: with no door stage an active penalty goes straight
// to probation.
func TestFirstStageZero(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{FirstStage: -1}})
	penalise(t, g, "192.0.2.7:22", 8)
	for range DefaultPenalties.ProbationBurst {
		admit(t, g, "192.0.2.7:22").Close(OutcomeAuthFail)
	}
	refuse(t, g, "192.0.2.7:22", ErrProbation)
}

// TestDoorNeverOutlastsPenalty: a penalty shorter than the door stage
// ends the door with it.
func TestDoorNeverOutlastsPenalty(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{FirstStage: time.Minute}})
	penalise(t, g, "192.0.2.7:22", 4) // 20s
	err := refuse(t, g, "192.0.2.7:22", ErrPenalized)
	if !strings.Contains(err.Error(), "another 20s") {
		t.Errorf("error: got %q; want the door to end with the 20s penalty", err)
	}
	clk.Advance(20 * time.Second)
	admit(t, g, "192.0.2.7:22")
}

// TestTrustedNeverOnProbation: a trusted address is never charged, so it
// has no stage, whatever it does.
func TestTrustedNeverOnProbation(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{FirstStage: -1},
		Trusted: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}})
	for _, o := range []Outcome{OutcomeAuthFail, OutcomeNoAuth, OutcomeSilent, OutcomeGraceExceeded} {
		for range 50 {
			admit(t, g, "192.0.2.7:22").Close(o)
		}
	}
	if st := g.Stats(); st.Sources != 0 || st.Penalized != 0 || st.Charged != (Charged{}) || st.OnProbation != (Outcomes{}) {
		t.Errorf("stats: got %+v; want nothing charged", st)
	}
}
