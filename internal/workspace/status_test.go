package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeGit writes a git that logs "start PID" and "end PID" lines to log
// around body (sh), and answers a clean `status` on main. It returns the
// path to pass as Options.Git.
func fakeGit(t *testing.T, log, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "git")
	script := fmt.Sprintf("#!/bin/sh\necho start $$ >> %s\n%s\necho '# branch.head main'\necho end $$ >> %s\n", log, body, log)
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeRepo makes workspace name of alice a repository on main as far as
// List can tell (.git/HEAD), for a fake git to answer about.
func fakeRepo(t *testing.T, m *Manager, name string) {
	t.Helper()
	dir, err := m.Create(context.Background(), "alice", name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "HEAD"), []byte("ref: refs/heads/main\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// gitRuns returns the pids of the checks logged so far, and the most that
// ran at once.
func gitRuns(t *testing.T, log string) (pids []string, most int) {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		what, pid, _ := strings.Cut(line, " ")
		switch what {
		case "start":
			pids = append(pids, pid)
			n++
			most = max(most, n)
		case "end":
			n--
		}
	}
	return pids, most
}

// List answers from the cache without waiting for a slow git (but for the
// first check's statusMissWait), and the state arrives once git is done.
func TestListDoesNotWaitForGit(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	m := newTestManager(t, Options{Git: fakeGit(t, log, "sleep 0.5; echo '? new-file'")})
	m.gitState.missWait = statusMissWait
	fakeRepo(t, m, "big")
	for i := range 3 {
		start := time.Now()
		got, err := m.List(context.Background(), "alice")
		if err != nil || len(got) != 1 || got[0].Branch != "main" {
			t.Fatalf("List = %+v, %v", got, err)
		}
		if d := time.Since(start); d > 250*time.Millisecond {
			t.Errorf("List %d took %v with a git taking 500 ms; want it not to wait", i, d)
		}
	}
	listUntil(t, m, "alice", "big dirty once git answered", func(got []Info) bool { return got[0].Dirty })
}

// Checks run on the schedule: once at first, again only after the
// session's activity (never sooner than minGap) or, for a workspace being
// listed, once maxAge has passed; never two at once for one workspace.
func TestStatusSchedule(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	var mu sync.Mutex
	var active time.Time
	m := newTestManager(t, Options{
		Git: fakeGit(t, log, ""),
		Activity: func(login, name string) time.Time {
			mu.Lock()
			defer mu.Unlock()
			return active
		},
	})
	m.gitState.maxAge, m.gitState.minGap = time.Hour, 100*time.Millisecond
	fakeRepo(t, m, "ws")
	runs := func() int { p, _ := gitRuns(t, log); return len(p) }
	listUntil(t, m, "alice", "a first check", func([]Info) bool { return runs() == 1 })

	// Nothing happened: more listings and ticks run no git.
	for range 5 {
		if _, err := m.List(context.Background(), "alice"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := runs(); n != 1 {
		t.Errorf("checks without activity: got %d; want 1", n)
	}

	// The session wrote something: one more check, soon.
	mu.Lock()
	active = time.Now()
	mu.Unlock()
	start := time.Now()
	listUntil(t, m, "alice", "a check after activity", func([]Info) bool { return runs() == 2 })
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("check after activity came after %v", d)
	}
	time.Sleep(300 * time.Millisecond)
	if n := runs(); n != 2 {
		t.Errorf("checks after one burst of activity: got %d; want 2", n)
	}

	if _, most := gitRuns(t, log); most != 1 {
		t.Errorf("checks of one workspace at once: got %d; want 1", most)
	}

	// Being looked at, an old state is checked again; once nobody looks,
	// it is left alone.
	log2 := filepath.Join(t.TempDir(), "log")
	m2 := newTestManager(t, Options{Git: fakeGit(t, log2, "")})
	m2.gitState.maxAge, m2.gitState.minGap, m2.gitState.watch = 200*time.Millisecond, 10*time.Millisecond, 500*time.Millisecond
	fakeRepo(t, m2, "other")
	runs2 := func() int { p, _ := gitRuns(t, log2); return len(p) }
	listUntil(t, m2, "alice", "checks by age", func([]Info) bool { return runs2() >= 3 })
	time.Sleep(700 * time.Millisecond) // past watch since the last List
	n := runs2()
	time.Sleep(700 * time.Millisecond)
	if got := runs2(); got != n {
		t.Errorf("checks while nobody lists: got %d more; want none", got-n)
	}
}

// TestStatusDue is the schedule's rule itself.
func TestStatusDue(t *testing.T) {
	c := &statusCache{maxAge: 5 * time.Second, minGap: 2 * time.Second, watch: 5 * time.Minute}
	now := time.Now()
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	tests := []struct {
		name                 string
		checked, listed, act time.Time
		took                 time.Duration
		want                 bool
	}{
		{name: "fresh and quiet", checked: ago(time.Second), listed: ago(0), want: false},
		{name: "activity since, but within the gap", checked: ago(time.Second), listed: ago(0), act: ago(0), want: false},
		{name: "activity since, after the gap", checked: ago(3 * time.Second), listed: ago(0), act: ago(time.Second), want: true},
		{name: "activity before the check", checked: ago(3 * time.Second), listed: ago(0), act: ago(4 * time.Second), want: false},
		{name: "old and watched", checked: ago(6 * time.Second), listed: ago(time.Minute), want: true},
		{name: "old and not watched", checked: ago(time.Hour), listed: ago(10 * time.Minute), want: false},
		{name: "costly: activity waits 3x its cost", checked: ago(2500 * time.Millisecond), took: time.Second, listed: ago(0), act: ago(0), want: false},
		{name: "costly: after 3x its cost", checked: ago(3500 * time.Millisecond), took: time.Second, listed: ago(0), act: ago(0), want: true},
		{name: "costly: age waits 10x its cost", checked: ago(8 * time.Second), took: time.Second, listed: ago(0), want: false},
		{name: "costly: after 10x its cost", checked: ago(11 * time.Second), took: time.Second, listed: ago(0), want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.due(now, tt.checked, tt.listed, tt.took, tt.act); got != tt.want {
				t.Errorf("due: got %v; want %v", got, tt.want)
			}
		})
	}
}

// However many repositories are listed, at most statusWorkers git run at
// once, and each of them is checked.
func TestStatusBoundedConcurrency(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	m := newTestManager(t, Options{Git: fakeGit(t, log, "sleep 0.1")})
	m.gitState.missWait = statusMissWait
	for i := range 8 {
		fakeRepo(t, m, fmt.Sprintf("r%d", i))
	}
	listUntil(t, m, "alice", "every repository checked", func(got []Info) bool {
		p, _ := gitRuns(t, log)
		return len(p) >= 8
	})
	if _, most := gitRuns(t, log); most > statusWorkers {
		t.Errorf("git at once: got %d; want at most %d", most, statusWorkers)
	}
}

// A deleted workspace's state goes with it, and so does that of one that
// vanished from the listing.
func TestStatusForgotten(t *testing.T) {
	m := newTestManager(t, Options{Git: fakeGit(t, filepath.Join(t.TempDir(), "log"), "echo '? x'")})
	fakeRepo(t, m, "a")
	fakeRepo(t, m, "b")
	listUntil(t, m, "alice", "both dirty", func(got []Info) bool { return len(got) == 2 && got[0].Dirty && got[1].Dirty })
	entries := func() int {
		m.gitState.mu.Lock()
		defer m.gitState.mu.Unlock()
		return len(m.gitState.entries)
	}
	if err := m.Delete(context.Background(), "alice", "a"); err != nil {
		t.Fatal(err)
	}
	if n := entries(); n != 1 {
		t.Errorf("entries after Delete: got %d; want 1", n)
	}
	if err := os.RemoveAll(filepath.Join(m.root, "alice", "b")); err != nil {
		t.Fatal(err)
	}
	if got, err := m.List(context.Background(), "alice"); err != nil || len(got) != 0 {
		t.Fatalf("List = %+v, %v", got, err)
	}
	if n := entries(); n != 0 {
		t.Errorf("entries after b vanished: got %d; want 0", n)
	}
	// Made again, a workspace starts with no state: not dirty until checked.
	fakeRepo(t, m, "a")
	m.gitState.missWait = 0
	if got, err := m.List(context.Background(), "alice"); err != nil || len(got) != 1 || got[0].Dirty {
		t.Errorf("List of a new a: got %+v, %v; want it not dirty before its check", got, err)
	}
}

// No git outlives its timeout, and Close kills the ones in flight and
// waits for its goroutines.
func TestStatusGitKilled(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	m := newTestManager(t, Options{Git: fakeGit(t, log, "exec sleep 300"), StatusTimeout: 200 * time.Millisecond})
	m.gitState.missWait = 0
	fakeRepo(t, m, "hang")
	if _, err := m.List(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	first := waitGitStart(t, log, 1)
	waitPidGone(t, first, 200*time.Millisecond+gitWaitDelay)

	// A check in flight at Close is killed too, long before its timeout.
	m2 := newTestManager(t, Options{Root: m.root, Git: fakeGit(t, log, "exec sleep 300"), StatusTimeout: time.Hour})
	m2.gitState.missWait = 0
	if _, err := m2.List(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	second := waitGitStart(t, log, 2)
	start := time.Now()
	m2.Close()
	if d := time.Since(start); d > gitWaitDelay+time.Second {
		t.Errorf("Close took %v", d)
	}
	waitPidGone(t, second, time.Second)
	if got, err := m2.List(context.Background(), "alice"); err != nil || len(got) != 1 {
		t.Errorf("List after Close: got %+v, %v; want the workspace", got, err)
	}
}

// waitGitStart waits until the fake git started n times and returns the
// pid of the nth.
func waitGitStart(t *testing.T, log string, n int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pids, _ := gitRuns(t, log); len(pids) >= n {
			pid, err := strconv.Atoi(pids[n-1])
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("git did not start %d times", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitPidGone fails unless process pid is gone (or a zombie) within d and
// a margin for a slow machine.
func waitPidGone(t *testing.T, pid int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d + 2*time.Second)
	for {
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(b), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("git %d still runs after %v", pid, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
