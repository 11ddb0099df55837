package workspace

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newTestManager returns a Manager on a fresh Root, with git configured
// only by the environment the tests give it.
func newTestManager(t *testing.T, opts Options) *Manager {
	t.Helper()
	if opts.Root == "" {
		opts.Root = filepath.Join(t.TempDir(), "workspaces")
	}
	opts.Env = append([]string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}, opts.Env...)
	m, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(m.Close)
	quickStatus(m)
	return m
}

// quickStatus makes the git state checks of m answer at once to a first
// List (as git finishes) and follow changes within tens of milliseconds,
// so that tests wait on conditions, not on the production schedule.
func quickStatus(m *Manager) {
	c := m.gitState
	c.maxAge, c.minGap, c.tick, c.missWait = 50*time.Millisecond, 10*time.Millisecond, 10*time.Millisecond, 10*time.Second
}

// listUntil lists login's workspaces until cond holds for them, or fails
// after a deadline: the git state follows changes in the background.
func listUntil(t *testing.T, m *Manager, login, what string, cond func([]Info) bool) []Info {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := m.List(context.Background(), login)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("List: got %+v; want %s", got, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mode returns the permission bits of path (not following a symlink).
func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatalf("lstat: %v", err)
	}
	return fi.Mode()
}

func names(infos []Info) string {
	var s []string
	for _, i := range infos {
		s = append(s, i.Name)
	}
	return strings.Join(s, ",")
}

// outsideCanary makes a directory outside every Root with a canary file in
// it and returns both paths.
func outsideCanary(t *testing.T) (dir, canary string) {
	t.Helper()
	dir = t.TempDir()
	canary = filepath.Join(dir, "canary")
	if err := os.WriteFile(canary, []byte("still here"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, canary
}

func mustExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("%s: %v; want it to exist", path, err)
	}
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s: err %v; want it gone", path, err)
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	m := newTestManager(t, Options{})

	if got, err := m.List(ctx, "alice"); err != nil || len(got) != 0 {
		t.Fatalf("List before anything = %v, %v; want empty", got, err)
	}
	dir, err := m.Create(ctx, "alice", "Proj")
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if want := filepath.Join(m.root, "alice", "proj"); dir != want {
		t.Errorf("Create dir: got %q; want %q", dir, want)
	}
	if got, want := mode(t, dir), fs.ModeDir|0o700; got != want {
		t.Errorf("workspace mode: got %v; want %v", got, want)
	}
	if got, want := mode(t, filepath.Dir(dir)), fs.ModeDir|0o700; got != want {
		t.Errorf("login root mode: got %v; want %v", got, want)
	}
	if _, err := m.Create(ctx, "alice", "proj"); !errors.Is(err, ErrExists) {
		t.Errorf("second Create: got %v; want ErrExists", err)
	}
	if got, err := m.Ensure(ctx, "alice", "proj"); err != nil || got != dir {
		t.Errorf("Ensure existing: got %q, %v; want %q", got, err, dir)
	}
	other, err := m.Ensure(ctx, "alice", "other")
	if err != nil {
		t.Fatalf("Ensure new: %v", err)
	}
	if got, want := mode(t, other), fs.ModeDir|0o700; got != want {
		t.Errorf("ensured mode: got %v; want %v", got, want)
	}
	if d, err := m.Dir("alice", "OTHER"); err != nil || d != other {
		t.Errorf("Dir: got %q, %v; want %q", d, err, other)
	}
	got, err := m.List(ctx, "alice")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if n := names(got); n != "other,proj" {
		t.Errorf("List: got %q; want %q", n, "other,proj")
	}
	if got[1].Dir != dir || got[1].Repo || got[1].Modified.IsZero() {
		t.Errorf("List info: got %+v", got[1])
	}
	if got, err := m.List(ctx, "bob"); err != nil || len(got) != 0 {
		t.Errorf("List other login = %v, %v; want empty", got, err)
	}

	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(ctx, "alice", "proj"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustNotExist(t, dir)
	if err := m.Delete(ctx, "alice", "proj"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete again: got %v; want ErrNotFound", err)
	}
	if err := m.Delete(ctx, "carol", "proj"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete for a login without a root: got %v; want ErrNotFound", err)
	}
	if got, _ := m.List(ctx, "alice"); names(got) != "other" {
		t.Errorf("List after delete: got %q; want %q", names(got), "other")
	}
}

func TestInvalidNamesAndLogins(t *testing.T) {
	ctx := context.Background()
	m := newTestManager(t, Options{})
	tests := []struct {
		name  string
		login string
		ws    string
		want  error
	}{
		{"traversal", "alice", "../x", ErrInvalidName},
		{"dot dot", "alice", "..", ErrInvalidName},
		{"slash", "alice", "a/b", ErrInvalidName},
		{"absolute", "alice", "/etc", ErrInvalidName},
		{"hidden", "alice", ".clone-1234", ErrInvalidName},
		{"nul", "alice", "a\x00b", ErrInvalidName},
		{"empty name", "alice", "", ErrInvalidName},
		{"login traversal", "../alice", "x", ErrInvalidLogin},
		{"login upper", "Alice", "x", ErrInvalidLogin},
		{"login double dash", "a--b", "x", ErrInvalidLogin},
		{"login leading dash", "-a", "x", ErrInvalidLogin},
		{"login trailing dash", "a-", "x", ErrInvalidLogin},
		{"login too long", strings.Repeat("a", 40), "x", ErrInvalidLogin},
		{"login empty", "", "x", ErrInvalidLogin},
		{"login dot", ".", "x", ErrInvalidLogin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := m.Dir(tt.login, tt.ws); !errors.Is(err, tt.want) {
				t.Errorf("Dir: got %v; want %v", err, tt.want)
			}
			if _, err := m.Create(ctx, tt.login, tt.ws); !errors.Is(err, tt.want) {
				t.Errorf("Create: got %v; want %v", err, tt.want)
			}
			if _, err := m.Ensure(ctx, tt.login, tt.ws); !errors.Is(err, tt.want) {
				t.Errorf("Ensure: got %v; want %v", err, tt.want)
			}
			if err := m.Delete(ctx, tt.login, tt.ws); !errors.Is(err, tt.want) {
				t.Errorf("Delete: got %v; want %v", err, tt.want)
			}
			if err := m.Clone(ctx, tt.login, tt.ws, "https://example.com/r.git", nil); !errors.Is(err, tt.want) {
				t.Errorf("Clone: got %v; want %v", err, tt.want)
			}
		})
	}
	if _, err := m.List(ctx, "../x"); !errors.Is(err, ErrInvalidLogin) {
		t.Errorf("List: got %v; want ErrInvalidLogin", err)
	}
	entries, err := os.ReadDir(m.root)
	if err != nil || len(entries) != 0 {
		t.Errorf("Root after refused calls holds %v, %v; want nothing", entries, err)
	}
	if _, err := m.Dir(strings.Repeat("a", 39), "x"); err != nil {
		t.Errorf("39-char login: %v", err)
	}
}

// A symlink inside a workspace pointing outside: Delete removes the link,
// never what it points at, however deep it sits and whether it is
// absolute or relative.
func TestDeleteDoesNotFollowSymlinks(t *testing.T) {
	ctx := context.Background()
	m := newTestManager(t, Options{})
	outside, canary := outsideCanary(t)
	dir, err := m.Create(ctx, "alice", "proj")
	if err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(deep, outside)
	if err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		filepath.Join(dir, "abs"):      outside,
		filepath.Join(deep, "rel"):     rel,
		filepath.Join(deep, "file"):    canary,
		filepath.Join(dir, "dangling"): "/nonexistent",
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Delete(ctx, "alice", "proj"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustNotExist(t, dir)
	mustExist(t, canary)
	mustExist(t, outside)
}

// A symlink planted at Root/<login>/<name> pointing outside: Create and
// Ensure refuse it, List skips it, Clone refuses it, Delete removes only
// the link.
func TestSymlinkAtWorkspaceName(t *testing.T) {
	ctx := context.Background()
	m := newTestManager(t, Options{})
	outside, canary := outsideCanary(t)
	if _, err := m.Ensure(ctx, "alice", "real"); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(m.root, "alice", "evil")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(m.root, "alice", "afile")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := m.Create(ctx, "alice", "evil"); !errors.Is(err, ErrExists) {
		t.Errorf("Create on a symlink: got %v; want ErrExists", err)
	}
	if _, err := m.Ensure(ctx, "alice", "evil"); !errors.Is(err, ErrNotWorkspace) {
		t.Errorf("Ensure on a symlink: got %v; want ErrNotWorkspace", err)
	}
	if _, err := m.Ensure(ctx, "alice", "afile"); !errors.Is(err, ErrNotWorkspace) {
		t.Errorf("Ensure on a file: got %v; want ErrNotWorkspace", err)
	}
	if err := m.Clone(ctx, "alice", "evil", "file:///nonexistent", nil); !errors.Is(err, ErrExists) {
		t.Errorf("Clone onto a symlink: got %v; want ErrExists", err)
	}
	got, err := m.List(ctx, "alice")
	if err != nil || names(got) != "real" {
		t.Errorf("List: got %q, %v; want %q", names(got), err, "real")
	}
	if err := m.Delete(ctx, "alice", "evil"); err != nil {
		t.Fatalf("Delete symlink: %v", err)
	}
	mustNotExist(t, link)
	mustExist(t, canary)
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("outside dir holds %d entries; want only the canary", len(entries))
	}
}

// A login's root replaced by a symlink (to another login or outside) is
// refused by every operation; nothing lands at the target.
func TestLoginRootSymlink(t *testing.T) {
	ctx := context.Background()
	m := newTestManager(t, Options{})
	outside, canary := outsideCanary(t)
	bob, err := m.Create(ctx, "bob", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(m.root, "bob"), filepath.Join(m.root, "alice")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(m.root, "carol")); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"alice", "carol"} {
		if _, err := m.Ensure(ctx, login, "x"); !errors.Is(err, ErrNotWorkspace) {
			t.Errorf("Ensure as %s: got %v; want ErrNotWorkspace", login, err)
		}
		if _, err := m.Create(ctx, login, "x"); !errors.Is(err, ErrNotWorkspace) {
			t.Errorf("Create as %s: got %v; want ErrNotWorkspace", login, err)
		}
		if _, err := m.List(ctx, login); !errors.Is(err, ErrNotWorkspace) {
			t.Errorf("List as %s: got %v; want ErrNotWorkspace", login, err)
		}
		if err := m.Delete(ctx, login, "secret"); !errors.Is(err, ErrNotWorkspace) {
			t.Errorf("Delete as %s: got %v; want ErrNotWorkspace", login, err)
		}
	}
	mustExist(t, bob)
	mustExist(t, canary)
	mustNotExist(t, filepath.Join(m.root, "bob", "x"))
	mustNotExist(t, filepath.Join(outside, "x"))
}

func TestListSkipsWhatIsNotAWorkspace(t *testing.T) {
	ctx := context.Background()
	m := newTestManager(t, Options{})
	for _, n := range []string{"zeta", "alpha", "m-1.2_x"} {
		if _, err := m.Create(ctx, "alice", n); err != nil {
			t.Fatal(err)
		}
	}
	base := filepath.Join(m.root, "alice")
	for _, d := range []string{".clone-0123", "Upper", "bad name", ".git"} {
		if err := os.Mkdir(filepath.Join(base, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(base, "notes"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("alpha", filepath.Join(base, "alias")); err != nil {
		t.Fatal(err)
	}
	got, err := m.List(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if n, want := names(got), "alpha,m-1.2_x,zeta"; n != want {
		t.Errorf("List: got %q; want %q", n, want)
	}
}

func TestNewDefaults(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New with no Root: got nil error")
	}
	root := filepath.Join(t.TempDir(), "a", "b")
	m, err := New(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if m.git != "git" || m.statusTimeout <= 0 || m.log == nil {
		t.Errorf("defaults: git %q, status timeout %v, logger %v", m.git, m.statusTimeout, m.log)
	}
	mustExist(t, root)
}
