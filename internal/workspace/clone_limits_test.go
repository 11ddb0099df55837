package workspace

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeGit writes a git that runs script (sh) and returns its path.
func fakeCloneGit(t *testing.T, script string) string {
	t.Helper()
	fake := filepath.Join(t.TempDir(), "git")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n# called as: git clone --progress -- URL DIR\neval \"dest=\\${$#}\"\n"+script), 0o700); err != nil {
		t.Fatal(err)
	}
	return fake
}

// A git that writes nothing after its first line is given up after
// CloneStall; one that keeps writing progress runs until CloneTimeout.
// Either way nothing is left and the error says which limit ran out.
func TestCloneLimits(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		opts    Options
		want    error
		message string
	}{
		{
			name:    "silent",
			script:  "echo \"Cloning into '$dest'...\" >&2\nexec sleep 300\n",
			opts:    Options{CloneStall: 300 * time.Millisecond, CloneTimeout: time.Minute},
			want:    ErrCloneStalled,
			message: "clone of https://example.com/r.git stalled: no progress from git for 300ms; nothing was kept",
		},
		{
			name:    "slow but moving",
			script:  "touch \"$dest/partial\"\nwhile :; do printf 'Receiving objects:  1%%\\r' >&2; sleep 0.05; done\n",
			opts:    Options{CloneStall: 300 * time.Millisecond, CloneTimeout: time.Second},
			want:    ErrCloneTimeout,
			message: "clone of https://example.com/r.git timed out after 1s; nothing was kept",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Git = fakeCloneGit(t, tt.script)
			m := newTestManager(t, tt.opts)
			start := time.Now()
			err := m.Clone(context.Background(), "alice", "r", "https://example.com/r.git", nil)
			if took := time.Since(start); took > tt.opts.CloneTimeout+gitWaitDelay+5*time.Second {
				t.Errorf("Clone took %s", took)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Clone: got %v; want %v", err, tt.want)
			}
			var um interface{ UserMessage() string }
			if !errors.As(err, &um) || um.UserMessage() != tt.message {
				t.Errorf("user message: got %v; want %q", err, tt.message)
			}
			mustNotExist(t, filepath.Join(m.root, "alice", "r"))
			noTempDirs(t, m, "alice")
		})
	}
}

// Cancelling the caller's context is a cancellation, not a time-out.
func TestCloneCancelIsNotTimeout(t *testing.T) {
	m := newTestManager(t, Options{Git: fakeCloneGit(t, "exec sleep 300\n"), CloneStall: time.Minute, CloneTimeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := m.Clone(ctx, "alice", "r", "https://example.com/r.git", nil)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrCloneTimeout) || errors.Is(err, ErrCloneStalled) {
		t.Errorf("Clone: got %v; want the caller's context.DeadlineExceeded", err)
	}
}

// git's progress names the workspace, not the server's temporary path, and
// a failure's message is git's reason for the URL.
func TestCloneProgressHidesPaths(t *testing.T) {
	m := newTestManager(t, Options{Git: fakeCloneGit(t, "echo \"Cloning into '$dest'...\" >&2\necho \"fatal: could not create work tree dir '$dest/x'\" >&2\nexit 128\n")})
	var progress bytes.Buffer
	err := m.Clone(context.Background(), "alice", "MyRepo", "https://example.com/r.git", &progress)
	if got, want := progress.String(), "Cloning into 'myrepo'...\nfatal: could not create work tree dir 'myrepo/x'\n"; got != want {
		t.Errorf("progress: got %q; want %q", got, want)
	}
	var um interface{ UserMessage() string }
	if !errors.As(err, &um) {
		t.Fatalf("Clone: %v has no user message", err)
	}
	if got, want := um.UserMessage(), "could not clone https://example.com/r.git: fatal: could not create work tree dir 'myrepo/x'"; got != want {
		t.Errorf("user message: got %q; want %q", got, want)
	}
	if strings.Contains(err.Error(), m.root) {
		t.Errorf("error %q names the server's path", err)
	}
}

func TestReplaceWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"whole", []string{"into '/d/.clone-1'...\n"}, "into 'ws'...\n"},
		{"split", []string{"into '/d/.cl", "one-1'...\n"}, "into 'ws'...\n"},
		{"byte by byte", strings.Split("a/d/.clone-1b/d/.clone-1", ""), "awsbws"},
		{"prefix only", []string{"/d/.cl", "ip"}, "/d/.clip"},
		{"prefix at the end", []string{"x /d/.clo"}, "x /d/.clo"},
		{"none", []string{"Receiving objects: 1%\r", "2%\r"}, "Receiving objects: 1%\r2%\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := &replaceWriter{w: &out, old: []byte("/d/.clone-1"), new: []byte("ws")}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			w.flush()
			if got := out.String(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func FuzzReplaceWriter(f *testing.F) {
	f.Add("into '/d/.clone-1'...", 3)
	f.Add("/d/.clon/d/.clone-1", 1)
	f.Fuzz(func(t *testing.T, s string, cut int) {
		old := []byte("/d/.clone-1")
		want := string(bytes.ReplaceAll([]byte(s), old, []byte("ws")))
		var out bytes.Buffer
		w := &replaceWriter{w: &out, old: old, new: []byte("ws")}
		if cut < 1 {
			cut = 1
		}
		for b := []byte(s); len(b) > 0; {
			n := min(cut, len(b))
			_, _ = w.Write(b[:n])
			b = b[n:]
		}
		w.flush()
		if got := out.String(); got != want {
			t.Fatalf("replace %q in pieces of %d: got %q; want %q", s, cut, got, want)
		}
	})
}

func TestShortDuration(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want string
	}{
		{"seconds", 2 * time.Second, "2s"},
		{"minutes", 10 * time.Minute, "10m"},
		{"minutes and seconds", 90 * time.Second, "1m30s"},
		{"hours", time.Hour, "1h"},
		{"milliseconds", 300 * time.Millisecond, "300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shortDuration(tt.in); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
