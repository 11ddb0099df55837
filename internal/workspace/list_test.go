package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// readHead never follows a symlink, never blocks on a FIFO and returns
// only clean branch names.
func TestReadHead(t *testing.T) {
	outside, _ := outsideCanary(t)
	outsideHead := filepath.Join(outside, "HEAD")
	if err := os.WriteFile(outsideHead, []byte("ref: refs/heads/leaked\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(path string) error
		want  string
	}{
		{"branch", writeHead("ref: refs/heads/main\n"), "main"},
		{"nested branch", writeHead("ref: refs/heads/feature/x\n"), "feature/x"},
		{"detached", writeHead("0123456789abcdef0123456789abcdef01234567\n"), ""},
		{"other ref", writeHead("ref: refs/remotes/origin/main\n"), ""},
		{"hostile", writeHead("ref: refs/heads/a\x1b]52;c;x\x07\n"), ""},
		{"huge", writeHead("ref: refs/heads/" + string(make([]byte, 4096))), ""},
		{"missing", func(string) error { return nil }, ""},
		{"symlink outside", func(p string) error { return os.Symlink(outsideHead, p) }, ""},
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o600) }, ""},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "ws", ".git"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := tt.setup(filepath.Join(dir, "ws", ".git", "HEAD")); err != nil {
				t.Fatal(err)
			}
			r, err := os.OpenRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := readHead(r, "ws/.git/HEAD"); got != tt.want {
				t.Errorf("readHead: got %q; want %q", got, tt.want)
			}
		})
	}
}

func writeHead(s string) func(string) error {
	return func(p string) error { return os.WriteFile(p, []byte(s), 0o600) }
}

// A workspace whose .git is a symlink is listed but not treated as a
// repository, and git is not run in it.
func TestListSymlinkedGitDir(t *testing.T) {
	ctx := context.Background()
	bare := bareRepo(t)
	m := newTestManager(t, Options{})
	dir, err := m.Create(ctx, "alice", "ws")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bare, filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	got, err := m.List(ctx, "alice")
	if err != nil || len(got) != 1 {
		t.Fatalf("List = %+v, %v", got, err)
	}
	if got[0].Repo || got[0].Branch != "" {
		t.Errorf("List: got %+v; want a plain workspace", got[0])
	}
}

// BenchmarkList measures List over ten cloned repositories, with the git
// state from the background checks and with .git/HEAD only.
func BenchmarkList(b *testing.B) {
	ctx := context.Background()
	bare := bareRepo(b)
	root := filepath.Join(b.TempDir(), "workspaces")
	for _, tc := range []struct {
		name    string
		timeout time.Duration
	}{{"status", 0}, {"head-only", -1}} {
		m, err := New(Options{Root: root, StatusTimeout: tc.timeout, Env: []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(m.Close)
		for i := range 10 {
			name := fmt.Sprintf("r%d", i)
			if _, err := os.Stat(filepath.Join(root, "alice", name)); err == nil {
				continue
			}
			if err := m.Clone(ctx, "alice", name, "file://"+bare, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if got, err := m.List(ctx, "alice"); err != nil || len(got) != 10 {
					b.Fatalf("List = %d, %v", len(got), err)
				}
			}
		})
	}
}

// A git that hangs costs List at most StatusTimeout per batch: the branch
// still comes from .git/HEAD and Dirty stays false.
func TestListStatusTimeout(t *testing.T) {
	ctx := context.Background()
	fake := filepath.Join(t.TempDir(), "git")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexec sleep 300\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	m := newTestManager(t, Options{Git: fake, StatusTimeout: 100 * time.Millisecond})
	for i := range 3 {
		dir, err := m.Create(ctx, "alice", fmt.Sprintf("r%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".git", "HEAD"), []byte("ref: refs/heads/trunk\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	got, err := m.List(ctx, "alice")
	if err != nil || len(got) != 3 {
		t.Fatalf("List = %+v, %v", got, err)
	}
	if d := time.Since(start); d > gitWaitDelay {
		t.Errorf("List took %v with a hanging git; want about the status timeout", d)
	}
	for _, i := range got {
		if !i.Repo || i.Branch != "trunk" || i.Dirty {
			t.Errorf("List info: got %+v; want Repo on trunk, not Dirty", i)
		}
	}
}
