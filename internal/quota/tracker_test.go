package quota

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestFormatSize(t *testing.T) {
	tests := []struct {
		name string
		n    int64
		want string
	}{
		{"bytes", 512, "512 B"},
		{"one KiB", 1 << 10, "1.0 KiB"},
		{"MiB and a bit", 2<<20 + 16<<10, "2.0 MiB"},
		{"five point two GiB", 5<<30 + 205<<20, "5.2 GiB"},
		{"TiB", 3 << 40, "3.0 TiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatSize(tt.n); got != tt.want {
				t.Errorf("FormatSize(%d) = %q; want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestOverErrorMessage(t *testing.T) {
	err := error(&OverError{Login: "alice", Used: 5<<30 + 205<<20, Limit: 5 << 30})
	want := "alice uses 5.2 GiB of a 5.0 GiB disk quota; delete files or ask an admin"
	if got := err.Error(); got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	var um interface{ UserMessage() string }
	if !errors.As(err, &um) || um.UserMessage() != want {
		t.Errorf("UserMessage missing or different")
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		u    Usage
		ok   bool
		want string
	}{
		{"not measured", Usage{}, false, "not measured yet, of 1.0 MiB"},
		{"under", Usage{Bytes: 512 << 10}, true, "512.0 KiB of 1.0 MiB"},
		{"at", Usage{Bytes: 1 << 20}, true, "1.0 MiB of 1.0 MiB"},
		{"over", Usage{Bytes: 2 << 20}, true, "2.0 MiB of 1.0 MiB, over the quota"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summary(tt.u, tt.ok, 1<<20); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// waitFor polls cond until it holds, for at most 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTrackerChecks(t *testing.T) {
	base := t.TempDir()
	trees := func(login string) []string {
		return []string{filepath.Join(base, "ws", login), filepath.Join(base, "home", login)}
	}
	for _, d := range []string{"ws/alice", "home/alice", "ws/bob"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	measured := map[string]int{}
	tr, err := New(Options{
		Limit:    1 << 20,
		Interval: time.Hour, // only Remeasure brings a new measurement
		Logins:   func() []string { return []string{"alice", "bob"} },
		Trees:    trees,
		OnMeasure: func(login string, u Usage) {
			mu.Lock()
			measured[login]++
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(login string) int {
		mu.Lock()
		defer mu.Unlock()
		return measured[login]
	}
	if err := tr.Check("alice"); err != nil {
		t.Fatalf("Check before any measurement: %v; want nil", err)
	}
	writeFile(t, filepath.Join(base, "home", "alice", "blob"), 2<<20)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "first measurements", func() bool { return count("alice") == 1 && count("bob") == 1 })

	var over *OverError
	if err := tr.Check("alice"); !errors.As(err, &over) || over.Used < 2<<20 || over.Limit != 1<<20 {
		t.Fatalf("Check over the quota: %v; want an *OverError of at least 2 MiB", err)
	}
	if err := tr.Check("bob"); err != nil {
		t.Errorf("Check of bob: %v; want nil", err)
	}
	// The refusal asked for alice to be measured again, ahead of the
	// hour-long interval; the file is gone by then.
	if err := os.Remove(filepath.Join(base, "home", "alice", "blob")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice measured again", func() bool { return count("alice") >= 2 })
	if err := tr.Check("alice"); err != nil {
		t.Errorf("Check after the file went: %v; want nil", err)
	}
	if count("bob") != 1 {
		t.Errorf("bob measured %d times; want 1 (his interval has not passed)", count("bob"))
	}
}

func TestTrackerInterval(t *testing.T) {
	base := t.TempDir()
	var mu sync.Mutex
	var at []time.Time
	tr, err := New(Options{
		Limit:    1 << 20,
		Interval: 50 * time.Millisecond,
		Logins:   func() []string { return []string{"alice"} },
		Trees:    func(login string) []string { return []string{filepath.Join(base, login)} },
		OnMeasure: func(string, Usage) {
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	waitFor(t, "three measurements", func() bool { mu.Lock(); defer mu.Unlock(); return len(at) >= 3 })
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 50*time.Millisecond {
			t.Errorf("measurements %d and %d %s apart; want at least the 50ms interval", i-1, i, gap)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	ok := Options{Limit: 1, Interval: time.Second, Logins: func() []string { return nil }, Trees: func(string) []string { return nil }}
	tests := []struct {
		name string
		edit func(o *Options)
	}{
		{"no limit", func(o *Options) { o.Limit = 0 }},
		{"no interval", func(o *Options) { o.Interval = 0 }},
		{"no logins", func(o *Options) { o.Logins = nil }},
		{"no trees", func(o *Options) { o.Trees = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			if _, err := New(o); err == nil {
				t.Errorf("New: no error")
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Errorf("New with good options: %v", err)
	}
}
