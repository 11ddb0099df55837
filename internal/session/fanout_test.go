package session

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// xCounter is a fast client Output that counts the '#' bytes of a flood and
// keeps the rest.
type xCounter struct {
	mu    sync.Mutex
	xs    int
	other bytes.Buffer
}

func (w *xCounter) Write(p []byte) (int, error) {
	n := bytes.Count(p, []byte("#"))
	w.mu.Lock()
	defer w.mu.Unlock()
	w.xs += n
	if n != len(p) {
		w.other.Write(bytes.ReplaceAll(p, []byte("#"), nil))
	}
	return len(p), nil
}

func (w *xCounter) snapshot() (int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.xs, w.other.String()
}

// TestSlowClient: a client whose Output blocks forever does not stall the
// PTY reader or the other client; it is marked stale and resynchronised.
func TestSlowClient(t *testing.T) {
	const total = 50 << 20
	m, fk := newTestManager(t, func(o *Options) {
		o.Command = prog("flood", strconv.Itoa(total))
		o.ClientQueue = 4 << 20
	})
	fk.limit = 4096
	sp := Spec{Login: "alice", Workspace: "w"}

	fast := &xCounter{}
	fastIn := make(chan []byte, 1)
	fastDone := make(chan Result, 1)
	go func() {
		res, err := m.Attach(context.Background(), sp, Client{Input: fastIn, Output: fast, Window: win80})
		if err != nil {
			t.Errorf("Attach: %v", err)
		}
		fastDone <- res
	}()
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 1 })
	slowOut := &termOut{block: make(chan struct{})}
	slow := attachClient(t, m, sp, win80, slowOut)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 2 })
	s, _ := m.lookup("alice", "w", false)
	s.mu.Lock()
	slowClient := s.clients[1]
	s.mu.Unlock()

	start := time.Now()
	fastIn <- []byte("go\n")
	var res Result
	select {
	case res = <-fastDone:
	case <-time.After(60 * time.Second):
		t.Fatalf("the flood did not finish: the PTY reader stalled")
	}
	elapsed := time.Since(start)
	if res.Reason != Exited || res.ExitCode != 0 {
		t.Fatalf("fast client: %v code %d; want exited 0", res.Reason, res.ExitCode)
	}
	xs, other := fast.snapshot()
	if xs != total {
		t.Errorf("fast client got %d bytes of output; want %d", xs, total)
	}
	if !strings.HasSuffix(other, "[warren: w exited with code 0]\r\n") {
		t.Errorf("fast client's non-flood output = %q; want the status line last", other)
	}
	s.mu.Lock()
	resyncs, queued := slowClient.resyncs, len(slowClient.pending)
	s.mu.Unlock()
	if resyncs == 0 {
		t.Errorf("the slow client was never marked stale")
	}
	if queued > 4<<20 {
		t.Errorf("the slow client queues %d bytes; want at most %d", queued, 4<<20)
	}
	t.Logf("50 MiB in %v (%.0f MiB/s) with a blocked client, resyncs %d", elapsed, float64(total)/(1<<20)/elapsed.Seconds(), resyncs)

	close(slowOut.block) // the connection wakes up: it gets a repaint, then Attach returns
	if res := slow.wait(t); res.Reason != Exited {
		t.Errorf("slow client: %v; want %v", res.Reason, Exited)
	}
	if !strings.Contains(slowOut.String(), resyncPrefix+"") || !strings.Contains(slowOut.String(), "exited with code 0") {
		t.Errorf("the slow client was not resynchronised with the final screen: %q", tail(slowOut.String(), 200))
	}
}

// errWriter fails every write, like a dead connection.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestDeadClient: a client whose writes fail stops receiving output; the
// program and the other clients go on; its Attach ends on disconnect.
func TestDeadClient(t *testing.T) {
	m, _ := newTestManager(t, nil)
	sp := Spec{Login: "alice", Workspace: "w"}
	a := attachClient(t, m, sp, win80, nil)
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 1 })
	deadIn := make(chan []byte)
	deadDone := make(chan Result, 1)
	go func() {
		res, _ := m.Attach(context.Background(), sp, Client{Input: deadIn, Output: errWriter{}, Window: win80})
		deadDone <- res
	}()
	waitInfo(t, m, "alice", "w", func(in Info) bool { return in.Clients == 2 })
	for i := 0; i < 3; i++ {
		a.send("line" + strconv.Itoa(i) + "\n")
		a.out.waitContains(t, "line"+strconv.Itoa(i)+"\r\nline"+strconv.Itoa(i)+"\r\n")
	}
	close(deadIn)
	select {
	case res := <-deadDone:
		if res.Reason != Disconnected {
			t.Errorf("dead client: %v; want %v", res.Reason, Disconnected)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("Attach of the dead client did not return")
	}
	close(a.in)
	a.wait(t)
}

// TestEnqueueBound: the queue never exceeds its limit; overflow marks the
// client stale exactly once until the writer resynchronises it.
func TestEnqueueBound(t *testing.T) {
	c := newClient(io.Discard, win80)
	chunk := bytes.Repeat([]byte("y"), 300)
	for i := 0; i < 10; i++ {
		c.enqueueLocked(chunk, 1000)
	}
	if !c.stale || c.resyncs != 1 || len(c.pending) != 0 {
		t.Fatalf("stale %v resyncs %d pending %d; want true 1 0", c.stale, c.resyncs, len(c.pending))
	}
}
