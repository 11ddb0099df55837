package session

import (
	"bytes"
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkOutputPath measures bytes/s from the program through the PTY,
// the screen (a cheap fake), the history ring (an in-memory fake) and the
// fan-out to one attached client draining to a counter.
func BenchmarkOutputPath(b *testing.B) {
	const chunk = 64 << 10
	total := b.N * chunk
	m, fk := newTestManager(b, func(o *Options) {
		o.Command = prog("flood", strconv.Itoa(total))
		o.ClientQueue = 64 << 20
	})
	fk.limit = 4096
	out := &xCounter{}
	in := make(chan []byte, 1)
	b.SetBytes(chunk)
	done := make(chan Result, 1)
	go func() {
		res, err := m.Attach(context.Background(), Spec{Login: "alice", Workspace: "w"}, Client{Input: in, Output: out, Window: win80})
		if err != nil {
			b.Error(err)
		}
		done <- res
	}()
	waitInfo(b, m, "alice", "w", func(in Info) bool { return in.Clients == 1 })
	b.ResetTimer()
	in <- []byte("go\n")
	<-done
	b.StopTimer()
	if xs, _ := out.snapshot(); xs != total {
		b.Fatalf("client got %d bytes; want %d", xs, total)
	}
}

// signalWriter counts bytes and signals when want have arrived.
type signalWriter struct {
	n    atomic.Int64
	want int64
	ch   chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	if w.n.Add(int64(len(p))) >= w.want && w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
	return len(p), nil
}

// BenchmarkAttach measures attach latency (scrollback + repaint queued,
// written to the client, detach) for a session restored from a 4 MiB ring.
// With the fake screen the repaint is the whole 4 MiB replay, so this is
// mostly fan-out setup and copying.
func BenchmarkAttach(b *testing.B) {
	m, fk := newTestManager(b, nil)
	h, _ := fk.openHistory("alice", "w")
	line := bytes.Repeat([]byte("z"), 78)
	line = append(line, '\r', '\n')
	for i := 0; i < (4<<20)/len(line); i++ {
		_, _ = h.Write(line)
	}
	_ = h.Close()
	sp := Spec{Login: "alice", Workspace: "w", Restore: true}
	if err := m.Start(sp); err != nil {
		b.Fatal(err)
	}
	var repaint int64
	withScreen(b, m, "alice", "w", func(f *fakeScreen) { repaint = int64(len(f.AppendRepaint(nil))) })
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := &signalWriter{want: repaint, ch: make(chan struct{})}
		got := w.ch
		in := make(chan []byte)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, err := m.Attach(context.Background(), sp, Client{Input: in, Output: w, Window: win80}); err != nil {
				b.Error(err)
			}
		}()
		select {
		case <-got:
		case <-time.After(10 * time.Second):
			b.Fatal("no repaint")
		}
		close(in)
		<-done
	}
}
