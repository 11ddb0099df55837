package server

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

	"github.com/warren-ssh/warren/internal/admission"
	"github.com/warren-ssh/warren/internal/auth"
)

// fakeProber answers keepalives when told to: each SendRequest waits for a
// value on answer (true: the client answers) or for the connection to close.
type fakeProber struct {
	answer chan bool
	closed chan struct{}

	mu    sync.Mutex // mu guards the following
	calls int
}

func newFakeProber() *fakeProber {
	return &fakeProber{answer: make(chan bool), closed: make(chan struct{})}
}

func (f *fakeProber) SendRequest(string, bool, []byte) (bool, []byte, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	select {
	case <-f.answer:
		return false, nil, nil // OpenSSH answers with a failure: an answer
	case <-f.closed:
		return false, nil, errors.New("connection closed")
	}
}

func (f *fakeProber) sent() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// keepaliveFixture is a server with one authenticated connection whose
// client is the fake prober.
func keepaliveFixture(t *testing.T) (*Server, *trackedConn, *fakeProber, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	s := &Server{logger: slog.New(slog.NewTextHandler(&logs, nil)), live: newLiveConns(16)}
	g := admission.New(admission.Options{})
	ticket, err := g.Admit(net.TCPAddrFromAddrPort(netip.MustParseAddrPort("192.0.2.1:4242")))
	if err != nil {
		t.Fatal(err)
	}
	server, client := net.Pipe()
	t.Cleanup(func() { _ = client.Close() })
	fp := newFakeProber()
	tc := &trackedConn{Conn: remoteConn{server}, ticket: ticket, probed: fp,
		onClose: func(tc *trackedConn) { close(fp.closed); s.live.unregister(tc) }}
	if err := s.live.register(tc, auth.Identity{Login: "alice"}, nil); err != nil {
		t.Fatal(err)
	}
	return s, tc, fp, &logs
}

// remoteConn is a net.Pipe end with a TCP remote address.
type remoteConn struct{ net.Conn }

func (remoteConn) RemoteAddr() net.Addr {
	return net.TCPAddrFromAddrPort(netip.MustParseAddrPort("192.0.2.1:4242"))
}

func (c *trackedConn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// waitAnswered waits until the outstanding probe has been recorded as
// answered.
func waitAnswered(t *testing.T, tc *trackedConn) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		tc.mu.Lock()
		out := tc.outstanding
		tc.mu.Unlock()
		if !out {
			return
		}
	}
	t.Fatal("the answer was never recorded")
}

// TestKeepaliveSilentClient: a client that answers nothing, because it is
// frozen or because the probe is stuck behind output it does not read, is
// closed at the fourth round (the probe went out at the first, three rounds
// found it unanswered), and that is logged once, with login, remote and how
// long. Its probe counts from the round that launched it, sent or not.
func TestKeepaliveSilentClient(t *testing.T) {
	s, tc, fp, logs := keepaliveFixture(t)
	const interval = 2 * time.Second
	start := time.Now()
	tc.verified(start)
	for round := 1; round <= 3; round++ {
		s.keepaliveRound(start.Add(time.Duration(round) * interval))
		if tc.isClosed() {
			t.Fatalf("closed after round %d; want open until round 4", round)
		}
	}
	s.keepaliveRound(start.Add(4 * interval))
	if !tc.isClosed() {
		t.Fatal("still open after four rounds without an answer")
	}
	s.keepaliveRound(start.Add(5 * interval)) // closed and unregistered: nothing more
	// The probe goroutine may reach SendRequest only now; it returns at once.
	for deadline := time.Now().Add(5 * time.Second); fp.sent() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := fp.sent(); n != 1 {
		t.Errorf("probes: got %d; want 1 (one out at a time)", n)
	}
	if s.live.len() != 0 {
		t.Errorf("live connections: got %d; want 0", s.live.len())
	}
	log := logs.String()
	if n := strings.Count(log, "stopped answering keepalives"); n != 1 {
		t.Errorf("log lines: got %d; want 1:\n%s", n, log)
	}
	for _, want := range []string{"login=alice", "remote=192.0.2.1:4242", "missed=3", "silent=8s", "duration=8s"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestKeepaliveAnsweringClient: a client that answers every probe, even
// one that answers two rounds late (a slow link behind a burst of output),
// is never closed; a new probe goes out only once the last was answered.
func TestKeepaliveAnsweringClient(t *testing.T) {
	s, tc, fp, logs := keepaliveFixture(t)
	const interval = 2 * time.Second
	now := time.Now()
	tc.verified(now)
	for round := 1; round <= 10; round++ {
		now = now.Add(interval)
		s.keepaliveRound(now)
		if round%5 == 0 {
			// Late: two more rounds pass first.
			s.keepaliveRound(now.Add(interval / 2))
			s.keepaliveRound(now.Add(interval))
			now = now.Add(interval)
		}
		fp.answer <- true
		waitAnswered(t, tc)
	}
	if tc.isClosed() {
		t.Fatalf("closed an answering client:\n%s", logs.String())
	}
	if n := fp.sent(); n != 10 {
		t.Errorf("probes: got %d; want 10", n)
	}
}

// TestKeepaliveSkipsUnreadyConnections: a connection not yet authenticated
// is not probed.
func TestKeepaliveSkipsUnreadyConnections(t *testing.T) {
	s, tc, fp, _ := keepaliveFixture(t)
	for round := range 5 {
		s.keepaliveRound(time.Now().Add(time.Duration(round) * time.Second))
	}
	if fp.sent() != 0 || tc.isClosed() {
		t.Errorf("probes %d, closed %v; want none, open", fp.sent(), tc.isClosed())
	}
}
