package quota

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Options configure a Tracker.
type Options struct {
	// Limit is each login's quota, in bytes; it must be positive.
	Limit int64
	// Interval is how long a login's measurement is trusted: the next one
	// starts this long after the last one ended.
	Interval time.Duration
	// Rate bounds the entries counted per second, all logins together
	// (measurements run one at a time); 0 does not bound it.
	Rate int
	// Logins lists the logins to measure; it is called before each
	// measurement, so that new logins are picked up.
	Logins func() []string
	// Trees are the directories of login that count against its quota.
	Trees func(login string) []string
	// OnMeasure, if set, is told of every measurement.
	OnMeasure func(login string, u Usage)
	Logger    *slog.Logger
}

// Tracker keeps each login's last measurement fresh, in the background.
type Tracker struct {
	opts Options
	kick chan string

	// mu guards the following.
	mu    sync.Mutex
	usage map[string]Usage
}

// New returns a Tracker; Run does the measuring.
func New(o Options) (*Tracker, error) {
	if o.Limit <= 0 || o.Interval <= 0 || o.Logins == nil || o.Trees == nil {
		return nil, fmt.Errorf("quota: Limit, Interval, Logins and Trees are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Tracker{opts: o, kick: make(chan string, 16), usage: map[string]Usage{}}, nil
}

// Limit is the quota of every login.
func (t *Tracker) Limit() int64 { return t.opts.Limit }

// Usage returns login's last measurement; ok is false before the first.
func (t *Tracker) Usage(login string) (u Usage, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	u, ok = t.usage[login]
	return u, ok
}

// Check returns an *OverError when login's last measurement is over the
// quota, and then asks for a new measurement of login ahead of the
// others, so that files deleted since count at the next try. A login not
// measured yet passes.
func (t *Tracker) Check(login string) error {
	u, ok := t.Usage(login)
	if !ok || u.Bytes <= t.opts.Limit {
		return nil
	}
	t.Remeasure(login)
	return &OverError{Login: login, Used: u.Bytes, Limit: t.opts.Limit, Measured: u.Measured}
}

// Remeasure asks for login to be measured next, without waiting.
func (t *Tracker) Remeasure(login string) {
	select {
	case t.kick <- login:
	default: // enough requests queued: the loop gets to login soon anyway
	}
}

// Run measures every login in turn, each again Interval after its last
// measurement ended, and those Remeasure asked for first. It returns when
// ctx ends.
func (t *Tracker) Run(ctx context.Context) {
	due := map[string]time.Time{} // when each login is measured next
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next, when := "", time.Time{}
		now := time.Now()
		for _, login := range t.opts.Logins() {
			d, ok := due[login]
			if !ok {
				d = now
			}
			if next == "" || d.Before(when) {
				next, when = login, d
			}
		}
		if wait := time.Until(when); next == "" || wait > 0 {
			if next == "" {
				wait = t.opts.Interval
			}
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case login := <-t.kick:
				due[login] = time.Time{}
			case <-timer.C:
			}
			continue
		}
		t.measure(ctx, next)
		if ctx.Err() != nil {
			return
		}
		due[next] = time.Now().Add(t.opts.Interval)
	}
}

// measure measures login once and keeps the result.
func (t *Tracker) measure(ctx context.Context, next string) {
	u, err := Measure(ctx, t.opts.Trees(next), t.opts.Rate)
	if err != nil {
		if ctx.Err() == nil {
			t.opts.Logger.Warn("disk usage not measured", "login", next, "err", err)
		}
		return
	}
	t.mu.Lock()
	was, known := t.usage[next]
	t.usage[next] = u
	t.mu.Unlock()
	over := u.Bytes > t.opts.Limit
	if !known || over != (was.Bytes > t.opts.Limit) {
		level := slog.LevelInfo
		if over {
			level = slog.LevelWarn
		}
		t.opts.Logger.Log(ctx, level, "disk usage", "login", next, "used", u.Bytes, "quota", t.opts.Limit, "over", over,
			"entries", u.Entries, "took", u.Took.Round(time.Millisecond))
	}
	if t.opts.OnMeasure != nil {
		t.opts.OnMeasure(next, u)
	}
}

// OverError is a login over its quota at its last measurement.
type OverError struct {
	Login       string
	Used, Limit int64
	Measured    time.Time
}

func (e *OverError) Error() string {
	return fmt.Sprintf("%s uses %s of a %s disk quota; delete files or ask an admin", e.Login, FormatSize(e.Used), FormatSize(e.Limit))
}

// UserMessage is the error's line for the user.
func (e *OverError) UserMessage() string { return e.Error() }

// FormatSize writes n bytes for people: "512 B", "1.0 KiB", "5.2 GiB".
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Summary is u against limit for people: "1.2 MiB of 5.0 GiB", with
// ", over the quota" when it is; "not measured yet of 5.0 GiB" when
// there is no measurement.
func Summary(u Usage, ok bool, limit int64) string {
	if !ok {
		return "not measured yet, of " + FormatSize(limit)
	}
	s := FormatSize(u.Bytes) + " of " + FormatSize(limit)
	if u.Bytes > limit {
		s += ", over the quota"
	}
	return s
}
