package server

import (
	"context"
	"errors"
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

// dbQueueLen bounds the database writes waiting to run.
const dbQueueLen = 4096

// dbBusyRetries bounds how often a write that found the database locked is
// tried again, a second apart (after each try's own busy_timeout).
const dbBusyRetries = 12

// dbQueue runs the server's database writes on one goroutine, so that no
// SSH handshake or session goroutine ever waits on SQLite: a database locked
// by another process must not delay or fail a login. When the queue is full,
// writes are dropped, counted and logged once.
type dbQueue struct {
	logger  *slog.Logger
	jobs    chan dbJob
	dropped atomic.Int64
}

type dbJob struct {
	name string
	run  func(ctx context.Context) error
}

func newDBQueue(logger *slog.Logger) *dbQueue {
	return &dbQueue{logger: logger, jobs: make(chan dbJob, dbQueueLen)}
}

// enqueue queues a write; it never blocks.
func (q *dbQueue) enqueue(name string, run func(ctx context.Context) error) {
	select {
	case q.jobs <- dbJob{name, run}:
	default:
		if q.dropped.Add(1) == 1 {
			q.logger.Warn("database write queue full, dropping writes", "write", name)
		}
	}
}

// do queues a write behind every write queued before it and waits for its
// result, or for ctx. A write that must land after the ones a state change
// queued (removing a record a stopping session is still saving) goes
// through do, never straight to the store.
func (q *dbQueue) do(ctx context.Context, name string, run func(ctx context.Context) error) error {
	errc := make(chan error, 1)
	job := dbJob{name, func(ctx context.Context) error {
		err := run(ctx)
		errc <- err
		return err
	}}
	select {
	case q.jobs <- job:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run performs queued writes until ctx ends, then what is still queued, for
// at most two more seconds.
func (q *dbQueue) run(ctx context.Context) {
	do := func(j dbJob) {
		// A database locked by another process (busy past busy_timeout)
		// is waited out for up to a minute before the write is given up.
		for attempt := 1; ; attempt++ {
			wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := j.run(wctx)
			cancel()
			if err == nil {
				return
			}
			if !errors.Is(err, store.ErrBusy) || attempt >= dbBusyRetries {
				q.logger.Error("database write failed", "write", j.name, "attempts", attempt, "err", err)
				return
			}
			if attempt == 1 {
				q.logger.Warn("database busy, retrying write", "write", j.name)
			}
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				if attempt >= 3 {
					return
				}
			}
		}
	}
	for {
		select {
		case j := <-q.jobs:
			do(j)
		case <-ctx.Done():
			deadline := time.Now().Add(2 * time.Second)
			for time.Now().Before(deadline) {
				select {
				case j := <-q.jobs:
					do(j)
				default:
					return
				}
			}
			return
		}
	}
}

// auditLog queues audit events on the dbQueue. It satisfies auth.Auditor.
type auditLog struct {
	store *store.Store
	db    *dbQueue
}

// AddEvent queues e; it never blocks.
func (a *auditLog) AddEvent(_ context.Context, e store.Event) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	a.db.enqueue("audit "+e.Kind, func(ctx context.Context) error {
		if err := a.store.AddEvent(ctx, e); err != nil {
			return err
		}
		if e.Kind == eventLoginAccepted {
			return a.store.RecordLogin(ctx, e.Login, e.At)
		}
		return nil
	})
	return nil
}
