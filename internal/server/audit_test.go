package server

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// TestDBQueueDoRunsAfterQueuedWrites checks that do waits its turn behind
// the writes queued before it and returns its own result: what a removal
// relies on to land after the save a stopping session queued.
func TestDBQueueDoRunsAfterQueuedWrites(t *testing.T) {
	q := newDBQueue(slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { q.run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	var mu sync.Mutex
	var order []string
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, s)
	}
	release := make(chan struct{})
	q.enqueue("save", func(context.Context) error {
		<-release // a slow write, still running when do is called
		note("save")
		return nil
	})
	done := make(chan error, 1)
	go func() {
		done <- q.do(context.Background(), "remove", func(context.Context) error {
			note("remove")
			return errors.New("gone wrong")
		})
	}()
	select {
	case err := <-done:
		t.Fatalf("do returned %v before the write queued ahead of it ran", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err == nil || err.Error() != "gone wrong" {
		t.Errorf("do = %v; want its write's error", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 2 || order[0] != "save" || order[1] != "remove" {
		t.Errorf("order = %q; want save, then remove", order)
	}

	// A caller that gives up is not held by a stuck queue.
	block := make(chan struct{})
	defer close(block)
	q.enqueue("stuck", func(context.Context) error { <-block; return nil })
	cctx, ccancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer ccancel()
	if err := q.do(cctx, "late", func(context.Context) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("do on a stuck queue = %v; want the caller's deadline", err)
	}
}
