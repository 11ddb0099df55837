package isolation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// fakeAllocator hands out uids from lo upwards, like the store, and counts
// calls per login.
type fakeAllocator struct {
	// mu guards the following.
	mu    sync.Mutex
	uids  map[string]uint32
	calls map[string]int
	err   error
}

var _ Allocator = (*fakeAllocator)(nil)

func newFakeAllocator() *fakeAllocator {
	return &fakeAllocator{uids: map[string]uint32{}, calls: map[string]int{}}
}

func (f *fakeAllocator) AccountUID(_ context.Context, login string, lo, hi uint32) (uint32, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[login]++
	if f.err != nil {
		return 0, false, f.err
	}
	if uid, ok := f.uids[login]; ok {
		return uid, false, nil
	}
	uid := lo + uint32(len(f.uids))
	if uid > hi {
		return 0, false, errors.New("range full")
	}
	f.uids[login] = uid
	return uid, true, nil
}

func (f *fakeAllocator) callsFor(login string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[login]
}

func (f *fakeAllocator) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// owner returns path's (not its target's) uid, gid and permission bits.
func owner(t *testing.T, path string) (uid, gid uint32, perm fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid, fi.Mode().Perm()
}

// checkDir fails unless path is a real directory with that owner and mode.
func checkDir(t *testing.T, path string, uid, gid uint32, perm fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() {
		t.Fatalf("%s: got %s; want a directory", path, fi.Mode().Type())
	}
	gotUID, gotGID, gotPerm := owner(t, path)
	if gotUID != uid || gotGID != gid || gotPerm != perm {
		t.Errorf("%s: got %d:%d %04o; want %d:%d %04o", path, gotUID, gotGID, gotPerm, uid, gid, perm)
	}
}

func newAccounts(t *testing.T, opts Options) *Accounts {
	t.Helper()
	a, err := NewAccounts(opts)
	if err != nil {
		t.Fatalf("NewAccounts: %v", err)
	}
	return a
}

func TestNewAccountsRefuses(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{name: "no mode", opts: Options{}},
		{name: "unknown mode", opts: Options{Mode: "sandboxed", Allocator: newFakeAllocator()}},
		{name: "isolated without an allocator", opts: Options{Mode: Isolated, Range: DefaultRange}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := filepath.Join(t.TempDir(), "workspaces")
			tt.opts.Trees = []string{tree}
			if _, err := NewAccounts(tt.opts); err == nil {
				t.Fatal("got nil; want an error")
			}
			if _, err := os.Lstat(tree); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("refused options created %s (%v)", tree, err)
			}
		})
	}
}

func TestAccountsShared(t *testing.T) {
	base := t.TempDir()
	trees := []string{filepath.Join(base, "workspaces"), filepath.Join(base, "homes")}
	me, myGroup := uint32(os.Getuid()), uint32(os.Getgid())
	// The server user's own entry names its shell: sessions keep it.
	passwd := writeFile(t, base, "passwd", fmt.Sprintf("someone:x:%d:%d::/home/someone:/bin/bash\nme:x:%d:%d::/home/me:/bin/sh\n", me+1, me+1, me, myGroup), 0o644)
	a := newAccounts(t, Options{Mode: Shared, Trees: trees, Homes: trees[1], NamesDir: filepath.Join(base, "nss"), hostPasswd: passwd})
	if a.Mode() != Shared {
		t.Errorf("Mode: got %q; want %q", a.Mode(), Shared)
	}
	for _, tree := range trees {
		checkDir(t, tree, me, myGroup, 0o700)
	}
	acct, err := a.Get(context.Background(), "alice")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := Account{Login: "alice", UID: me, GID: myGroup, Home: filepath.Join(trees[1], "alice"), Shell: "/bin/sh"}
	if acct != want {
		t.Errorf("Get: got %+v; want %+v", acct, want)
	}
	if c := acct.Credential(); c != nil {
		t.Errorf("Credential: got %+v; want nil (run as the server)", c)
	}
	for _, tree := range trees {
		checkDir(t, filepath.Join(tree, "alice"), me, myGroup, 0o700)
	}
	if _, err := os.Lstat(filepath.Join(base, "nss")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("shared mode made a user database (%v): the host's entries serve", err)
	}
	if got := a.NameService(); got != NamesHost {
		t.Errorf("NameService: got %q; want %q", got, NamesHost)
	}
}

func TestAccountsIsolated(t *testing.T) {
	requireRoot(t)
	base := t.TempDir()
	ws, homes := filepath.Join(base, "workspaces"), filepath.Join(base, "homes")
	if err := os.Mkdir(homes, 0o755); err != nil { // left by an earlier run
		t.Fatal(err)
	}
	// alice's home has her uid but not her gid yet.
	if err := os.Mkdir(filepath.Join(homes, "alice"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, homes, "alice/.profile", "", 0o644)
	for _, p := range []string{filepath.Join(homes, "alice"), filepath.Join(homes, "alice", ".profile")} {
		if err := os.Lchown(p, testUID, 0); err != nil {
			t.Fatal(err)
		}
	}
	alloc := newFakeAllocator()
	a := newAccounts(t, Options{Mode: Isolated, Range: DefaultRange, Allocator: alloc, Trees: []string{ws, homes}})
	if a.Mode() != Isolated {
		t.Errorf("Mode: got %q; want %q", a.Mode(), Isolated)
	}
	for _, tree := range []string{ws, homes} {
		checkDir(t, tree, 0, 0, 0o711)
	}
	for i, login := range []string{"alice", "bob"} {
		acct, err := a.Get(context.Background(), login)
		if err != nil {
			t.Fatalf("Get(%q): %v", login, err)
		}
		id := uint32(testUID + i)
		want := Account{Login: login, UID: id, GID: id, Isolated: true, Shell: pickShell(loginShells)}
		if acct != want {
			t.Errorf("Get(%q): got %+v; want %+v", login, acct, want)
		}
		c := acct.Credential()
		if c == nil || c.Uid != id || c.Gid != id || c.Groups == nil || len(c.Groups) != 0 || c.NoSetGroups {
			t.Errorf("Credential: got %+v; want uid and gid %d, an empty non-nil Groups (drop the server's groups)", c, id)
		}
		for _, tree := range []string{ws, homes} {
			checkDir(t, filepath.Join(tree, login), id, id, 0o700)
		}
	}
	if uid, gid, _ := owner(t, filepath.Join(homes, "alice", ".profile")); uid != testUID || gid != testUID {
		t.Errorf("alice's .profile: got owner %d:%d; want %d:%d", uid, gid, testUID, testUID)
	}
}

// TestAccountsHandover: a login's directory left by an earlier run under
// another owner is handed over whole; nothing a symlink or a hard link in
// it leads to outside changes hands.
func TestAccountsHandover(t *testing.T) {
	requireRoot(t)
	base := t.TempDir()
	tree := filepath.Join(base, "workspaces")
	home := filepath.Join(tree, "alice")
	for _, d := range []string{home, filepath.Join(home, "repo", ".git", "objects"), filepath.Join(home, "empty")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, home, "notes", "mine", 0o644)
	writeFile(t, home, ".hidden", "mine too", 0o600)
	writeFile(t, filepath.Join(home, "repo"), "main.go", "package main", 0o644)
	writeFile(t, filepath.Join(home, "repo", ".git", "objects"), "pack", "objects", 0o444)
	// Two names inside the tree for one file, as git clone --local makes.
	if err := os.Link(filepath.Join(home, "repo", "main.go"), filepath.Join(home, "main-link.go")); err != nil {
		t.Fatal(err)
	}

	// Outside the tree, the server's: a file, a directory, a database.
	outside := t.TempDir()
	target := writeFile(t, outside, "target", "server's", 0o644)
	outDir := filepath.Join(outside, "dir")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	inner := writeFile(t, outDir, "inner", "server's", 0o644)
	db := writeFile(t, outside, "warren.db", "accounts", 0o640)
	for link, to := range map[string]string{"to-file": target, "to-dir": outDir, "dangling": filepath.Join(outside, "nothing"), "relative": "../../.."} {
		if err := os.Symlink(to, filepath.Join(home, link)); err != nil {
			t.Fatal(err)
		}
	}
	// A session of a shared-mode run could link the database in.
	if err := os.Link(db, filepath.Join(home, "db")); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	a := newAccounts(t, Options{Mode: Isolated, Range: DefaultRange, Allocator: newFakeAllocator(), Trees: []string{tree},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if _, err := a.Get(context.Background(), "alice"); err != nil {
		t.Fatalf("Get: %v", err)
	}

	checkDir(t, home, testUID, testUID, 0o700)
	n := 0
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n++
		if uid, gid, _ := owner(t, p); uid != testUID || gid != testUID {
			t.Errorf("%s: got owner %d:%d; want %d:%d", p, uid, gid, testUID, testUID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := 15; n != want {
		t.Errorf("walked %d entries; want %d", n, want)
	}
	if want := "entries=15"; !bytes.Contains(logs.Bytes(), []byte(want)) {
		t.Errorf("log: got %q; want it to count %s", logs.String(), want)
	}
	for _, p := range []string{outside, target, outDir, inner, db} {
		if uid, gid, _ := owner(t, p); uid != 0 || gid != 0 {
			t.Errorf("%s, outside the tree: got owner %d:%d; want 0:0", p, uid, gid)
		}
	}
	// The database's name in the tree is now a copy of its own, with its
	// contents and mode; the database has its one name back.
	for _, tt := range []struct{ path, want string }{{db, "accounts"}, {filepath.Join(home, "db"), "accounts"}, {filepath.Join(home, "main-link.go"), "package main"}} {
		if b, err := os.ReadFile(tt.path); err != nil || string(b) != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.path, b, err, tt.want)
		}
	}
	dbInfo, _ := os.Lstat(db)
	copyInfo, _ := os.Lstat(filepath.Join(home, "db"))
	if os.SameFile(dbInfo, copyInfo) {
		t.Errorf("%s is still a hard link to %s", filepath.Join(home, "db"), db)
	}
	if nlink := dbInfo.Sys().(*syscall.Stat_t).Nlink; nlink != 1 {
		t.Errorf("%s: got %d links; want 1", db, nlink)
	}
	if _, _, perm := owner(t, filepath.Join(home, "db")); perm != 0o640 {
		t.Errorf("copy of the database: got mode %04o; want 0640", perm)
	}
	for name, want := range map[string]string{"to-file": target, "to-dir": outDir, "relative": "../../.."} {
		if got, err := os.Readlink(filepath.Join(home, name)); err != nil || got != want {
			t.Errorf("symlink %s: got %q, %v; want %q", name, got, err, want)
		}
	}
	if _, _, perm := owner(t, filepath.Join(home, "repo", ".git", "objects", "pack")); perm != 0o444 {
		t.Errorf("modes inside the tree change: got %04o; want 0444", perm)
	}
}

// TestAccountsHandoverRetried: a handover cut short leaves the directory to
// its old owner, so the next Get hands over what the first one missed.
func TestAccountsHandoverRetried(t *testing.T) {
	requireRoot(t)
	chattr, err := exec.LookPath("chattr")
	if err != nil {
		t.Fatal("needs chattr to make a chown fail as root: apt-get install e2fsprogs (.ci/run does)")
	}
	tree := filepath.Join(t.TempDir(), "workspaces")
	home := filepath.Join(tree, "alice")
	if err := os.MkdirAll(filepath.Join(home, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, home, "a/file", "x", 0o644)
	stuck := writeFile(t, home, "b", "immutable", 0o644)
	writeFile(t, home, "c", "x", 0o644)
	if out, err := exec.Command(chattr, "+i", stuck).CombinedOutput(); err != nil {
		t.Skipf("this file system cannot make %s immutable: %v: %s", stuck, err, out)
	}
	mutable := func() {
		if out, err := exec.Command(chattr, "-i", stuck).CombinedOutput(); err != nil {
			t.Errorf("chattr -i: %v: %s", err, out)
		}
	}
	t.Cleanup(mutable)

	a := newAccounts(t, Options{Mode: Isolated, Range: DefaultRange, Allocator: newFakeAllocator(), Trees: []string{tree}})
	if _, err := a.Get(context.Background(), "alice"); err == nil {
		t.Fatal("Get with an immutable file in the tree: got nil; want an error")
	}
	if uid, _, _ := owner(t, home); uid != 0 {
		t.Errorf("after a failed handover %s is owned by %d; want it left to 0", home, uid)
	}
	mutable()
	if _, err := a.Get(context.Background(), "alice"); err != nil {
		t.Fatalf("Get again: %v", err)
	}
	for _, p := range []string{home, filepath.Join(home, "a"), filepath.Join(home, "a", "file"), stuck, filepath.Join(home, "c")} {
		if uid, gid, _ := owner(t, p); uid != testUID || gid != testUID {
			t.Errorf("%s: got owner %d:%d; want %d:%d", p, uid, gid, testUID, testUID)
		}
	}
}

// TestAccountsRefusesNonDirectory: <tree>/<login> that is a symlink or a
// file is refused and left as it is, in both modes.
func TestAccountsRefusesNonDirectory(t *testing.T) {
	modes := []Mode{Shared}
	if os.Geteuid() == 0 {
		modes = append(modes, Isolated)
	}
	for _, mode := range modes {
		for _, kind := range []string{"symlink", "file"} {
			t.Run(string(mode)+"/"+kind, func(t *testing.T) {
				tree := filepath.Join(t.TempDir(), "workspaces")
				if err := os.Mkdir(tree, 0o700); err != nil {
					t.Fatal(err)
				}
				outside := t.TempDir()
				if err := os.Chmod(outside, 0o755); err != nil {
					t.Fatal(err)
				}
				secret := writeFile(t, outside, "secret", "server's", 0o600)
				name := filepath.Join(tree, "alice")
				switch kind {
				case "symlink":
					if err := os.Symlink(outside, name); err != nil {
						t.Fatal(err)
					}
				case "file":
					writeFile(t, tree, "alice", "not a directory", 0o644)
				}
				before, err := os.Lstat(name)
				if err != nil {
					t.Fatal(err)
				}
				a := newAccounts(t, Options{Mode: mode, Range: DefaultRange, Allocator: newFakeAllocator(), Trees: []string{tree}})
				if _, err := a.Get(context.Background(), "alice"); err == nil {
					t.Fatalf("Get: got nil; want an error for a %s at %s", kind, name)
				}
				after, err := os.Lstat(name)
				if err != nil {
					t.Fatal(err)
				}
				if !os.SameFile(before, after) || before.Mode() != after.Mode() {
					t.Errorf("%s changed: got %v; want %v", name, after.Mode(), before.Mode())
				}
				me := uint32(os.Getuid())
				if uid, _, _ := owner(t, name); uid != me {
					t.Errorf("%s: got owner %d; want %d", name, uid, me)
				}
				for p, perm := range map[string]fs.FileMode{outside: 0o755, secret: 0o600} {
					if uid, _, got := owner(t, p); uid != me || got != perm {
						t.Errorf("%s: got %d %04o; want %d %04o", p, uid, got, me, perm)
					}
				}
			})
		}
	}
}

func TestAccountsBadLogins(t *testing.T) {
	tests := []struct{ name, login string }{
		{"empty", ""},
		{"dot", "."},
		{"dot dot", ".."},
		{"slash", "a/b"},
		{"root", "/"},
		{"slashes", "//"},
		{"trailing slash", "alice/"},
		{"leading slash", "/alice"},
		{"parent", "../alice"},
		{"space", "al ice"},
		{"tab", "al\tice"},
		{"newline", "alice\n"},
		{"nul", "al\x00ice"},
		{"escape", "\x1b[31malice"},
		{"delete", "alice\x7f"},
		{"too long", string(bytes.Repeat([]byte("a"), 65))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			tree := filepath.Join(base, "workspaces")
			alloc := newFakeAllocator()
			a := newAccounts(t, Options{Mode: Isolated, Range: DefaultRange, Allocator: alloc, Trees: []string{tree}})
			if acct, err := a.Get(context.Background(), tt.login); err == nil {
				t.Fatalf("Get(%q): got %+v; want an error", tt.login, acct)
			}
			if n := alloc.callsFor(tt.login); n != 0 {
				t.Errorf("Get(%q) asked the allocator %d times; want 0", tt.login, n)
			}
			for _, d := range []string{base, tree} {
				if entries, err := os.ReadDir(d); err != nil || len(entries) != map[string]int{base: 1, tree: 0}[d] {
					t.Errorf("Get(%q) left %v in %s (%v)", tt.login, entries, d, err)
				}
			}
		})
	}
	// The longest login a directory may have, and other odd but harmless ones.
	for _, login := range []string{string(bytes.Repeat([]byte("a"), 64)), "...", ".alice", "alice-2", "al.ice", "élodie"} {
		if err := checkLogin(login); err != nil {
			t.Errorf("checkLogin(%q): %v; want nil", login, err)
		}
	}
}

func FuzzCheckLogin(f *testing.F) {
	for _, s := range []string{"alice", "", ".", "..", "/", "a/b", "a b", "\x00", "élodie"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, login string) {
		if checkLogin(login) != nil {
			return
		}
		// An accepted login is one directory right under the tree.
		tree := "/data/workspaces"
		if p := filepath.Join(tree, login); filepath.Dir(p) != tree || filepath.Base(p) != login {
			t.Fatalf("checkLogin(%q) accepted a login that leaves the tree: %s", login, p)
		}
	})
}

func TestAccountsCachesUIDs(t *testing.T) {
	requireRoot(t)
	tree := filepath.Join(t.TempDir(), "workspaces")
	alloc := newFakeAllocator()
	a := newAccounts(t, Options{Mode: Isolated, Range: DefaultRange, Allocator: alloc, Trees: []string{tree}})
	ctx := context.Background()
	first, err := a.Get(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := a.Get(ctx, "alice")
		if err != nil || got != first {
			t.Fatalf("Get again: got %+v, %v; want %+v", got, err, first)
		}
	}
	if _, err := a.Get(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	for login, want := range map[string]int{"alice": 1, "bob": 1} {
		if got := alloc.callsFor(login); got != want {
			t.Errorf("allocator calls for %s: got %d; want %d", login, got, want)
		}
	}
}

func TestAccountsAllocatorError(t *testing.T) {
	tree := filepath.Join(t.TempDir(), "workspaces")
	alloc := newFakeAllocator()
	boom := errors.New("database is locked")
	alloc.setErr(boom)
	a := newAccounts(t, Options{Mode: Isolated, Range: DefaultRange, Allocator: alloc, Trees: []string{tree}})
	ctx := context.Background()
	for i := 1; i <= 2; i++ {
		if _, err := a.Get(ctx, "alice"); !errors.Is(err, boom) {
			t.Fatalf("Get: got %v; want %v", err, boom)
		}
		if got := alloc.callsFor("alice"); got != i {
			t.Errorf("allocator calls after %d failed Gets: got %d; want %d (nothing cached)", i, got, i)
		}
	}
	if _, err := os.Lstat(filepath.Join(tree, "alice")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed Get made the login's directory (%v)", err)
	}
	if os.Geteuid() != 0 {
		return
	}
	alloc.setErr(nil)
	acct, err := a.Get(ctx, "alice")
	if err != nil || acct.UID != testUID {
		t.Errorf("Get once the allocator works: got %+v, %v; want uid %d", acct, err, testUID)
	}
}

// TestAccountsKeepsUIDOutsideRange: a login keeps the uid it has when
// --uid-range changes; its files are its own.
func TestAccountsKeepsUIDOutsideRange(t *testing.T) {
	requireRoot(t)
	tree := filepath.Join(t.TempDir(), "workspaces")
	alloc := newFakeAllocator()
	alloc.uids["alice"] = 15000
	var logs bytes.Buffer
	a := newAccounts(t, Options{Mode: Isolated, Range: DefaultRange, Allocator: alloc, Trees: []string{tree},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	acct, err := a.Get(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Account{Login: "alice", UID: 15000, GID: 15000, Isolated: true, Shell: pickShell(loginShells)}); acct != want {
		t.Errorf("Get: got %+v; want %+v", acct, want)
	}
	checkDir(t, filepath.Join(tree, "alice"), 15000, 15000, 0o700)
	for _, w := range []string{"level=WARN", "uid=15000", "range=20000-29999", "component=isolation"} {
		if !bytes.Contains(logs.Bytes(), []byte(w)) {
			t.Errorf("log: got %q; want it to contain %q", logs.String(), w)
		}
	}
}

// TestAccountsConcurrentGet: logins arriving together, some of them the
// same, while their old directories are being handed over.
func TestAccountsConcurrentGet(t *testing.T) {
	requireRoot(t)
	tree := filepath.Join(t.TempDir(), "workspaces")
	logins := []string{"alice", "bob", "carol"}
	for _, login := range logins {
		dir := filepath.Join(tree, login, "src")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			p := writeFile(t, dir, fmt.Sprintf("f%d", i), "x", 0o644)
			if err := os.Link(p, p+".link"); err != nil {
				t.Fatal(err)
			}
		}
	}
	alloc := newFakeAllocator()
	a := newAccounts(t, Options{Mode: Isolated, Range: DefaultRange, Allocator: alloc, Trees: []string{tree}})
	var wg sync.WaitGroup
	got := make([]Account, 4*len(logins))
	errs := make([]error, len(got))
	for i := range got {
		wg.Add(1)
		// Each goroutine ends when its Get returns.
		go func() {
			defer wg.Done()
			got[i], errs[i] = a.Get(context.Background(), logins[i%len(logins)])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Get(%q): %v", logins[i%len(logins)], err)
		}
	}
	for i, acct := range got {
		if first := got[i%len(logins)]; acct != first {
			t.Errorf("Get(%q): got %+v and %+v", logins[i%len(logins)], acct, first)
		}
	}
	for _, login := range logins {
		err := filepath.WalkDir(filepath.Join(tree, login), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if uid, _, _ := owner(t, p); uid < testUID || uid >= testUID+uint32(len(logins)) {
				t.Errorf("%s: got owner %d; want a uid of the range", p, uid)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
}
