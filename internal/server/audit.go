package server

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/warren-ssh/warren/internal/store"
)

// Audit event kinds written by the server.
const (
	eventLoginAccepted  = "login.accepted"
	eventLoginRefused   = "login.refused"
	eventSessionRefused = "session.refused"
	eventSessionRevoked = "session.revoked"
)

// auditQueue is the bound on audit events waiting to be written.
const auditQueue = 4096

// auditLog writes audit events to the store from one goroutine, so that the
// SSH handshake never waits on SQLite (a locked database must not delay or
// fail a login). When the queue is full, events are dropped and counted.
type auditLog struct {
	store   *store.Store
	logger  *slog.Logger
	queue   chan store.Event
	dropped atomic.Int64
	done    chan struct{}
}

func newAuditLog(st *store.Store, logger *slog.Logger) *auditLog {
	return &auditLog{store: st, logger: logger, queue: make(chan store.Event, auditQueue), done: make(chan struct{})}
}

// AddEvent queues e; it never blocks. It satisfies auth.Auditor.
func (a *auditLog) AddEvent(_ context.Context, e store.Event) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	select {
	case a.queue <- e:
	default:
		if a.dropped.Add(1) == 1 {
			a.logger.Warn("audit queue full, dropping events", "kind", e.Kind)
		}
	}
	return nil
}

// run writes queued events until ctx ends, then drains what is left for up
// to two seconds. It closes a.done when it returns.
func (a *auditLog) run(ctx context.Context) {
	defer close(a.done)
	write := func(e store.Event) {
		wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.store.AddEvent(wctx, e); err != nil {
			a.logger.Error("write audit event", "kind", e.Kind, "login", e.Login, "err", err)
		}
		if e.Kind == eventLoginAccepted {
			if err := a.store.RecordLogin(wctx, e.Login, e.At); err != nil {
				a.logger.Error("record login", "login", e.Login, "err", err)
			}
		}
	}
	for {
		select {
		case e := <-a.queue:
			write(e)
		case <-ctx.Done():
			deadline := time.After(2 * time.Second)
			for {
				select {
				case e := <-a.queue:
					write(e)
				case <-deadline:
					return
				default:
					return
				}
			}
		}
	}
}
