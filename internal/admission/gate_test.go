package admission

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake, concurrency-safe clock.
type clock struct {
	mu sync.Mutex // mu guards the following
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// addr parses "ip:port" or "[ip6]:port" into a TCP address.
func addr(s string) net.Addr {
	return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s))
}

// never is a Rand under which only a certain refusal (at Full) drops.
func never() float64 { return 0.999999 }

func admit(t *testing.T, g *Gate, remote string) *Ticket {
	t.Helper()
	tk, err := g.Admit(addr(remote))
	if err != nil {
		t.Fatalf("Admit(%s): %v", remote, err)
	}
	return tk
}

func refuse(t *testing.T, g *Gate, remote string, want error) error {
	t.Helper()
	tk, err := g.Admit(addr(remote))
	if !errors.Is(err, want) {
		if tk != nil {
			tk.Close(OutcomeOK)
		}
		t.Fatalf("Admit(%s): got %v; want %v", remote, err, want)
	}
	return err
}

func TestGlobalCap(t *testing.T) {
	g := New(Options{MaxStartups: Startups{Start: 3, Rate: 100, Full: 3}, Rand: never})
	var tickets []*Ticket
	for i := range 3 {
		tickets = append(tickets, admit(t, g, netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), 22).String()))
	}
	refuse(t, g, "198.51.100.1:22", ErrTooManyStartups)

	// An authenticated connection no longer counts against the cap.
	tickets[0].Authenticated()
	admit(t, g, "198.51.100.1:22")
	refuse(t, g, "198.51.100.2:22", ErrTooManyStartups)

	// Neither does a closed one.
	tickets[1].Close(OutcomeOK)
	admit(t, g, "198.51.100.2:22")

	st := g.Stats()
	if st.Unauthenticated != 3 || st.Admitted != 5 || st.Refused.TooManyStartups != 2 {
		t.Errorf("stats: got %+v; want 3 unauthenticated, 5 admitted, 2 refused", st)
	}
}

func TestRandomEarlyDrop(t *testing.T) {
	var r float64
	// 2:50:4: at 2 open refuse with p=0.5, at 3 p=0.75, at 4 always.
	g := New(Options{MaxStartups: Startups{Start: 2, Rate: 50, Full: 4}, Rand: func() float64 { return r }})
	tests := []struct {
		name   string
		rand   float64
		remote string
		admit  bool
	}{
		{name: "below start, r=0", rand: 0, remote: "192.0.2.1:1", admit: true},
		{name: "below start, r=0 again", rand: 0, remote: "192.0.2.2:1", admit: true},
		{name: "at start, r just below p", rand: 0.49, remote: "192.0.2.3:1", admit: false},
		{name: "at start, r at p", rand: 0.5, remote: "192.0.2.3:1", admit: true},
		{name: "three open, r below p", rand: 0.74, remote: "192.0.2.4:1", admit: false},
		{name: "three open, r above p", rand: 0.76, remote: "192.0.2.4:1", admit: true},
		{name: "full, r near 1", rand: 0.999999, remote: "192.0.2.5:1", admit: false},
	}
	for _, tt := range tests {
		r = tt.rand
		tk, err := g.Admit(addr(tt.remote))
		if tt.admit && err != nil {
			t.Errorf("%s: got %v; want admitted", tt.name, err)
		}
		if !tt.admit && !errors.Is(err, ErrTooManyStartups) {
			t.Errorf("%s: got %v, %v; want ErrTooManyStartups", tt.name, tk, err)
		}
	}
}

func TestPerSource(t *testing.T) {
	g := New(Options{PerSource: 2, Rand: never})
	a := admit(t, g, "192.0.2.1:1000")
	admit(t, g, "192.0.2.1:1001")
	err := refuse(t, g, "192.0.2.1:1002", ErrSourceBusy)
	if !strings.Contains(err.Error(), "192.0.2.1/32") {
		t.Errorf("error: got %q; want it to name the source", err)
	}
	admit(t, g, "192.0.2.2:1000") // another source is unaffected
	a.Close(OutcomeOK)
	admit(t, g, "192.0.2.1:1003")
	if got := g.Stats().Refused.SourceBusy; got != 1 {
		t.Errorf("SourceBusy refusals: got %d; want 1", got)
	}
}

func TestSourceGrouping(t *testing.T) {
	tests := []struct {
		name string
		a, b net.Addr
		same bool
	}{
		{name: "same ipv4 other port", a: addr("192.0.2.1:1"), b: addr("192.0.2.1:2"), same: true},
		{name: "neighbouring ipv4", a: addr("192.0.2.1:1"), b: addr("192.0.2.2:1"), same: false},
		{name: "same ipv6 /64", a: addr("[2001:db8:1:2::1]:1"), b: addr("[2001:db8:1:2:ffff:ffff:ffff:ffff]:1"), same: true},
		{name: "other ipv6 /64", a: addr("[2001:db8:1:2::1]:1"), b: addr("[2001:db8:1:3::1]:1"), same: false},
		{name: "v4-mapped v6 is v4", a: addr("[::ffff:192.0.2.1]:1"), b: addr("192.0.2.1:1"), same: true},
		{name: "zones ignored", a: addr("[fe80::1%eth0]:1"), b: addr("[fe80::2%eth1]:1"), same: true},
		{name: "unparseable addresses share a bucket", a: &net.UnixAddr{Name: "a"}, b: &net.UnixAddr{Name: "b"}, same: true},
		{name: "unparseable is not an ip", a: &net.UnixAddr{Name: "a"}, b: addr("0.0.0.0:1"), same: false},
		{name: "string address", a: &net.IPAddr{IP: net.ParseIP("2001:db8::1")}, b: addr("[2001:db8::2]:9"), same: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := sourceOf(addrOf(tt.a)), sourceOf(addrOf(tt.b))
			if (a == b) != tt.same {
				t.Errorf("sources: got %q and %q; want same=%v", a, b, tt.same)
			}
		})
	}

	// Through the gate: a /64 is one source.
	g := New(Options{PerSource: 1, Rand: never})
	admit(t, g, "[2001:db8:1:2::1]:22")
	refuse(t, g, "[2001:db8:1:2::99]:22", ErrSourceBusy)
	admit(t, g, "[2001:db8:1:3::1]:22")
}

func TestPenaltyActivationAndExpiry(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never}) // authfail 5s, min 15s
	const src = "192.0.2.7:22"
	// Three failures: 15s of penalty, which does not exceed Min.
	for range 3 {
		admit(t, g, src).Close(OutcomeAuthFail)
	}
	// The fourth brings it to 20s: refused from now on.
	admit(t, g, src).Close(OutcomeAuthFail)
	err := refuse(t, g, src, ErrPenalized)
	if !strings.Contains(err.Error(), "another 15s") || !strings.Contains(err.Error(), "in 20s") {
		t.Errorf("error: got %q; want the door's 15s and the remaining 20s in it", err)
	}
	if st := g.Stats(); st.Penalized != 1 || st.Sources != 1 || st.Refused.Penalized != 1 {
		t.Errorf("stats: got %+v; want 1 penalized source", st)
	}
	admit(t, g, "192.0.2.8:22") // others are unaffected

	// Still refused when the remainder has dropped below Min.
	clk.Advance(10 * time.Second)
	err = refuse(t, g, src, ErrPenalized)
	if !strings.Contains(err.Error(), "another 5s") || !strings.Contains(err.Error(), "in 10s") {
		t.Errorf("error: got %q; want the door's 5s and the remaining 10s in it", err)
	}
	// After the door stage, on probation: admitted as far as
	// authentication.
	clk.Advance(5 * time.Second)
	admit(t, g, src).Close(OutcomeOK)
	if st := g.Stats(); st.Penalized != 1 || st.Door != 0 || st.Probation != 1 {
		t.Errorf("stats on probation: got %+v; want 1 penalized source, on probation", st)
	}
	clk.Advance(5 * time.Second)
	admit(t, g, src)
	if st := g.Stats(); st.Penalized != 0 || st.Sources != 0 {
		t.Errorf("stats after expiry: got %+v; want no penalties", st)
	}
}

func TestPenaltyDecays(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never})
	// One failure every 5s never accumulates past 5s.
	for range 20 {
		admit(t, g, "192.0.2.7:22").Close(OutcomeAuthFail)
		clk.Advance(5 * time.Second)
	}
	if st := g.Stats(); st.Penalized != 0 {
		t.Errorf("Penalized: got %d; want 0", st.Penalized)
	}
}

func TestPenaltyCappedAtMax(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{Max: time.Minute}})
	for range 4 {
		admit(t, g, "192.0.2.7:22").Close(OutcomeAuthFail)
	}
	// A refused source cannot add more, but tickets already open can.
	var open []*Ticket
	g2 := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{Max: time.Minute}, PerSource: 100})
	for range 100 {
		open = append(open, admit(t, g2, "192.0.2.9:22"))
	}
	for _, tk := range open {
		tk.Close(OutcomeGraceExceeded) // 1000s in total
	}
	err := refuse(t, g2, "192.0.2.9:22", ErrPenalized)
	if !strings.Contains(err.Error(), "in 1m0s") {
		t.Errorf("error: got %q; want the 1m cap", err)
	}
	clk.Advance(time.Minute)
	admit(t, g2, "192.0.2.9:22")
	admit(t, g, "192.0.2.7:22")
}

func TestOutcomePenalties(t *testing.T) {
	tests := []struct {
		name    string
		outcome Outcome
		auth    bool
		want    time.Duration // 0: not refused
	}{
		{name: "ok", outcome: OutcomeOK, want: 0},
		{name: "noauth", outcome: OutcomeNoAuth, want: time.Second},
		{name: "silent", outcome: OutcomeSilent, want: time.Second},
		{name: "authfail", outcome: OutcomeAuthFail, want: 5 * time.Second},
		{name: "grace exceeded", outcome: OutcomeGraceExceeded, want: 10 * time.Second},
		{name: "refused after a verified key", outcome: OutcomeRefused, want: 0},
		{name: "authenticated then authfail", outcome: OutcomeAuthFail, auth: true, want: 0},
		{name: "authenticated then grace", outcome: OutcomeGraceExceeded, auth: true, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			// Min below zero means zero: any penalty refuses.
			g := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{Min: -1}})
			tk := admit(t, g, "192.0.2.1:22")
			if tt.auth {
				tk.Authenticated()
			}
			tk.Close(tt.outcome)
			if got := g.table.refusing(sourceOf(addrOf(addr("192.0.2.1:22"))), clk.Now()); got != tt.want {
				t.Errorf("penalty: got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestTicketIdempotent(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{Min: time.Hour}})
	tk := admit(t, g, "192.0.2.1:22")
	other := admit(t, g, "192.0.2.1:23")
	tk.Close(OutcomeAuthFail)
	tk.Close(OutcomeAuthFail)
	tk.Authenticated() // after Close: nothing
	if st := g.Stats(); st.Unauthenticated != 1 {
		t.Errorf("Unauthenticated: got %d; want 1", st.Unauthenticated)
	}
	if got := g.table.bySource[sourceOf(addrOf(addr("192.0.2.1:1")))].expiry.Sub(clk.Now()); got != 5*time.Second {
		t.Errorf("penalty after double Close: got %v; want 5s", got)
	}
	other.Authenticated()
	other.Authenticated()
	other.Close(OutcomeNoAuth)
	if st := g.Stats(); st.Unauthenticated != 0 || len(g.bySource) != 0 {
		t.Errorf("after all closed: got %+v, %d sources with slots; want none", st, len(g.bySource))
	}
}

func TestPenaltyTableBounded(t *testing.T) {
	clk := newClock()
	const max = 1000
	g := New(Options{Now: clk.Now, Rand: never, MaxSources: max})
	// One source earns a long penalty first...
	var open []*Ticket
	for range 10 {
		open = append(open, admit(t, g, "198.51.100.1:22"))
	}
	for _, tk := range open {
		tk.Close(OutcomeGraceExceeded)
	}
	// ...then 100k others each earn a short one.
	for i := range 100_000 {
		a := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 16), byte(i >> 8), byte(i), 15: 1})
		tk, err := g.Admit(net.TCPAddrFromAddrPort(netip.AddrPortFrom(a, 22)))
		if err != nil {
			t.Fatalf("Admit source %d: %v", i, err)
		}
		tk.Close(OutcomeNoAuth)
		if i%10_000 == 0 {
			if got := len(g.table.bySource); got > max || len(g.table.byExpiry) != got {
				t.Fatalf("table size after %d sources: got %d (heap %d); want ≤ %d", i, got, len(g.table.byExpiry), max)
			}
		}
	}
	st := g.Stats()
	if st.Sources != max {
		t.Errorf("Sources: got %d; want %d", st.Sources, max)
	}
	if want := uint64(100_001 - max); st.Evicted != want {
		t.Errorf("Evicted: got %d; want %d", st.Evicted, want)
	}
	// The source with the longest penalty was not the one evicted.
	refuse(t, g, "198.51.100.1:22", ErrPenalized)
}

func TestConcurrentAdmitClose(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, PerSource: 5, MaxStartups: Startups{Start: 20, Rate: 30, Full: 40}})
	const workers, rounds = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		// Each worker ends after its rounds.
		go func() {
			defer wg.Done()
			for i := range rounds {
				remote := addr(netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte((w*rounds + i) % 16)}), 22).String())
				tk, err := g.Admit(remote)
				if err != nil {
					if !errors.Is(err, ErrPenalized) && !errors.Is(err, ErrProbation) && !errors.Is(err, ErrSourceBusy) && !errors.Is(err, ErrTooManyStartups) {
						t.Errorf("Admit: unexpected error %v", err)
					}
					continue
				}
				// Authenticated and Close race on purpose.
				done := make(chan struct{})
				go func() {
					defer close(done)
					if i%2 == 0 {
						tk.Authenticated()
					}
				}()
				tk.Close(Outcome(i % 6))
				<-done
				if i%50 == 0 {
					clk.Advance(time.Second)
					_ = g.Stats()
				}
			}
		}()
	}
	wg.Wait()
	st := g.Stats()
	if st.Unauthenticated != 0 || len(g.bySource) != 0 {
		t.Errorf("after all closed: got %+v, %d sources with slots; want none", st, len(g.bySource))
	}
	total := st.Admitted + st.Refused.Penalized + st.Refused.Probation + st.Refused.SourceBusy + st.Refused.TooManyStartups
	if total != workers*rounds {
		t.Errorf("admitted+refused: got %d; want %d", total, workers*rounds)
	}
}

func TestInvalidStartupsFallsBack(t *testing.T) {
	g := New(Options{MaxStartups: Startups{Start: 10, Rate: 0, Full: 5}})
	if g.startups != DefaultStartups {
		t.Errorf("startups: got %q; want %q", g.startups, DefaultStartups)
	}
}

func TestPenaltyLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never, PerSource: 20,
		Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	var open []*Ticket
	for range 10 {
		open = append(open, admit(t, g, "192.0.2.1:22"))
	}
	for _, tk := range open {
		tk.Close(OutcomeAuthFail)
	}
	if got := strings.Count(buf.String(), "source penalized"); got != 1 {
		t.Errorf("penalty log lines: got %d; want 1 in %q", got, buf.String())
	}
	if !strings.Contains(buf.String(), "component=admission") || !strings.Contains(buf.String(), "source=192.0.2.1/32") {
		t.Errorf("log: got %q; want component and source attributes", buf.String())
	}
}

// TestChargedCountsPenalties: Stats.Charged counts the connections that
// added to a penalty, by outcome, and nothing else.
func TestChargedCountsPenalties(t *testing.T) {
	clk := newClock()
	g := New(Options{Now: clk.Now, Rand: never, PerSource: 100, Penalties: Penalties{Min: time.Hour}})
	for _, o := range []Outcome{OutcomeAuthFail, OutcomeAuthFail, OutcomeNoAuth, OutcomeSilent, OutcomeGraceExceeded, OutcomeRefused, OutcomeOK} {
		admit(t, g, "192.0.2.1:22").Close(o)
	}
	authed := admit(t, g, "192.0.2.1:22")
	authed.Authenticated()
	authed.Close(OutcomeAuthFail)
	want := Charged{AuthFail: 2, NoAuth: 1, Silent: 1, GraceExceeded: 1}
	if got := g.Stats().Charged; got != want {
		t.Errorf("Charged: got %+v; want %+v", got, want)
	}
}

// TestTrustedSources: an address in a trusted range is never penalised
// and not held to PerSource, but still counts against MaxStartups; an
// address just outside is treated as any other.
func TestTrustedSources(t *testing.T) {
	clk := newClock()
	g := New(Options{
		Now: clk.Now, Rand: never, PerSource: 2,
		MaxStartups: Startups{Start: 5, Rate: 100, Full: 5},
		Trusted: []netip.Prefix{
			netip.MustParsePrefix("203.0.113.0/28"),
			netip.MustParsePrefix("2001:db8:aa::/48"),
			netip.MustParsePrefix("::ffff:198.51.100.7/128"), // IPv4-mapped: the IPv4 host
		},
	})
	trusted := []string{"203.0.113.1:22", "203.0.113.15:22", "[2001:db8:aa:1::9]:22", "198.51.100.7:22", "[::ffff:203.0.113.2]:22"}
	for _, remote := range trusted {
		t.Run(remote, func(t *testing.T) {
			for range 10 { // 50s of authfail penalty, were it charged
				admit(t, g, remote).Close(OutcomeAuthFail)
			}
			var open []*Ticket
			for range 3 { // above PerSource
				open = append(open, admit(t, g, remote))
			}
			open[0].Close(OutcomeGraceExceeded)
			open[1].Close(OutcomeSilent)
			open[2].Close(OutcomeNoAuth)
		})
	}
	st := g.Stats()
	if st.Charged != (Charged{}) || st.Penalized != 0 || st.Sources != 0 {
		t.Errorf("after trusted failures: got %+v; want nothing charged", st)
	}
	if want := uint64(len(trusted) * 13); st.Trusted != want || st.Admitted != want {
		t.Errorf("admitted: got %d, %d trusted; want %d, all trusted", st.Admitted, st.Trusted, want)
	}

	// Outside the ranges, the same failures are penalised.
	for _, remote := range []string{"203.0.113.16:22", "[2001:db8:ab::1]:22"} {
		for range 4 {
			admit(t, g, remote).Close(OutcomeAuthFail)
		}
		refuse(t, g, remote, ErrPenalized)
	}

	// The global cap holds for trusted addresses too.
	var open []*Ticket
	for range 5 {
		open = append(open, admit(t, g, "203.0.113.1:22"))
	}
	refuse(t, g, "203.0.113.2:22", ErrTooManyStartups)
	for _, tk := range open {
		tk.Close(OutcomeOK)
	}
	if st := g.Stats(); st.Unauthenticated != 0 || len(g.bySource) != 0 {
		t.Errorf("after all closed: got %+v, %d sources with slots; want none", st, len(g.bySource))
	}
}
