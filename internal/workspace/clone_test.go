package workspace

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testGitEnv is the environment the tests' own git commands run with: no
// user or system config, a fixed author.
var testGitEnv = []string{
	"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	"GIT_AUTHOR_NAME=warren", "GIT_AUTHOR_EMAIL=warren@example.com",
	"GIT_COMMITTER_NAME=warren", "GIT_COMMITTER_EMAIL=warren@example.com",
}

func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), testGitEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// bareRepo makes a bare repository with one commit on branch main, pushed
// from a temporary clone, and returns its path.
func bareRepo(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("needs git: apt-get install git (.ci/run does)")
	}
	dir := t.TempDir()
	bare := filepath.Join(dir, "repo.git")
	runGit(t, dir, "init", "--quiet", "--bare", "--initial-branch=main", bare)
	work := filepath.Join(dir, "work")
	runGit(t, dir, "clone", "--quiet", bare, work)
	if err := os.WriteFile(filepath.Join(work, "README"), []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runGit(t, work, "add", "README")
	runGit(t, work, "commit", "--quiet", "-m", "first")
	runGit(t, work, "push", "--quiet", "origin", "HEAD:main")
	return bare
}

// noTempDirs fails if a clone left its hidden temp dir in login's root.
func noTempDirs(t *testing.T, m *Manager, login string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(m.root, login))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), clonePrefix) {
			t.Errorf("temp dir %s left behind", e.Name())
		}
	}
}

func TestCloneAndStatus(t *testing.T) {
	ctx := context.Background()
	bare := bareRepo(t)
	m := newTestManager(t, Options{})
	var progress bytes.Buffer
	if err := m.Clone(ctx, "alice", "Repo", "file://"+bare, &progress); err != nil {
		t.Fatalf("Clone: %v", err)
	}
	if !strings.Contains(progress.String(), "Cloning into") {
		t.Errorf("progress: got %q; want git's stderr", progress.String())
	}
	noTempDirs(t, m, "alice")
	dir := filepath.Join(m.root, "alice", "repo")
	if got, want := mode(t, dir).Perm(), os.FileMode(0o700); got != want {
		t.Errorf("cloned workspace mode: got %v; want %v", got, want)
	}
	mustExist(t, filepath.Join(dir, "README"))

	list := func(m *Manager) Info {
		t.Helper()
		got, err := m.List(ctx, "alice")
		if err != nil || len(got) != 1 {
			t.Fatalf("List = %+v, %v; want one workspace", got, err)
		}
		return got[0]
	}
	if got := list(m); !got.Repo || got.Branch != "main" || got.Dirty {
		t.Errorf("clean clone: got %+v; want Repo, Branch main, not Dirty", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "new.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	listUntil(t, m, "alice", "Dirty on main after an untracked file", func(got []Info) bool {
		return len(got) == 1 && got[0].Dirty && got[0].Branch == "main"
	})
	fast := newTestManager(t, Options{Root: m.root, StatusTimeout: -1})
	if got := list(fast); !got.Repo || got.Branch != "main" || got.Dirty {
		t.Errorf("without git status: got %+v; want Repo, Branch main from HEAD, Dirty false", got)
	}
	runGit(t, dir, "checkout", "--quiet", "--detach")
	if got := list(m); got.Branch != "" || !got.Repo {
		t.Errorf("detached: got %+v; want Repo with no branch", got)
	}

	if err := m.Clone(ctx, "alice", "repo", "file://"+bare, nil); !errors.Is(err, ErrExists) {
		t.Errorf("Clone onto an existing workspace: got %v; want ErrExists", err)
	}
	noTempDirs(t, m, "alice")
}

func TestCloneFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	m := newTestManager(t, Options{})
	missing := filepath.Join(t.TempDir(), "nope.git")
	var progress bytes.Buffer
	err := m.Clone(ctx, "alice", "x", "file://"+missing, &progress)
	if err == nil {
		t.Fatal("Clone of a missing repository: got nil error")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Errorf("error %v does not wrap git's exit", err)
	}
	if !strings.Contains(err.Error(), "does not appear to be a git repository") {
		t.Errorf("error %q lacks git's message; progress was %q", err, progress.String())
	}
	mustNotExist(t, filepath.Join(m.root, "alice", "x"))
	noTempDirs(t, m, "alice")
}

func TestCloneRefusesBadURLs(t *testing.T) {
	ctx := context.Background()
	m := newTestManager(t, Options{})
	canary := filepath.Join(t.TempDir(), "pwned")
	for _, u := range []string{"ext::sh -c touch% " + canary, "--upload-pack=touch " + canary, "/local/path"} {
		if err := m.Clone(ctx, "alice", "x", u, nil); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("Clone(%q): got %v; want ErrInvalidURL", u, err)
		}
	}
	mustNotExist(t, canary)
}

// Without a Credential git runs as the server: file:// must not reach
// another login's workspaces, directly or through a symlink.
func TestCloneFileURLStaysInLogin(t *testing.T) {
	ctx := context.Background()
	bare := bareRepo(t)
	m := newTestManager(t, Options{})
	if err := m.Clone(ctx, "bob", "secret", "file://"+bare, nil); err != nil {
		t.Fatal(err)
	}
	bobs := filepath.Join(m.root, "bob", "secret")
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(bobs, link); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"file://" + bobs, "file://" + link, "file://" + m.root + "/alice/../bob/secret"} {
		if err := m.Clone(ctx, "alice", "stolen", u, nil); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("Clone(%q) as alice: got %v; want ErrInvalidURL", u, err)
		}
	}
	if err := m.Clone(ctx, "bob", "copy", "file://"+bobs, nil); err != nil {
		t.Errorf("Clone of bob's own workspace as bob: %v", err)
	}
}

// signalWriter closes ready the first time the written text contains want.
type signalWriter struct {
	want  string
	ready chan struct{}
	mu    sync.Mutex
	// mu guards the following.
	buf  []byte
	done bool
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if !w.done && bytes.Contains(w.buf, []byte(w.want)) {
		w.done = true
		close(w.ready)
	}
	return len(p), nil
}

// processGone reports whether pid no longer runs (gone or a zombie).
func processGone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) != nil
	}
	// state is the field after the ")" closing the command name
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}

// A slow git (a script that starts a background sleeper and waits) is
// killed with its whole process group when ctx is cancelled, promptly,
// and its temp dir is removed.
func TestCloneCancel(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	fake := filepath.Join(dir, "git")
	script := `#!/bin/sh
# called as: git clone --progress -- URL DIR
eval "dest=\${$#}"
touch "$dest/partial"
sleep 300 &
echo $! > "$PIDFILE"
echo "Cloning into '$dest'... ready" >&2
wait
`
	if err := os.WriteFile(fake, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	m := newTestManager(t, Options{Git: fake, Env: []string{"PIDFILE=" + pidFile}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &signalWriter{want: "ready", ready: make(chan struct{})}
	errc := make(chan error, 1)
	go func() { errc <- m.Clone(ctx, "alice", "slow", "https://example.com/slow.git", w) }() // ends when Clone returns

	select {
	case <-w.ready:
	case err := <-errc:
		t.Fatalf("Clone returned before the fake git was ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("fake git never became ready")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	sleeper, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Clone after cancel: got %v; want context.Canceled", err)
		}
	case <-time.After(gitWaitDelay + 3*time.Second):
		t.Fatal("Clone did not return after cancel")
	}
	if d := time.Since(start); d > gitWaitDelay {
		t.Errorf("Clone took %v to return after cancel; want well under %v", d, gitWaitDelay)
	}
	mustNotExist(t, filepath.Join(m.root, "alice", "slow"))
	noTempDirs(t, m, "alice")
	if !eventually(5*time.Second, func() bool { return processGone(sleeper) }) {
		t.Errorf("git's child %d still runs after cancel", sleeper)
	}
}

// eventually polls cond until it holds or timeout passes.
func eventually(timeout time.Duration, cond func() bool) bool {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			return cond()
		}
	}
	return true
}

// Run as root, git can run as the login's own uid: the directories are
// handed to it and the clone's files are its own.
func TestCloneAsLoginCredential(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch uid")
	}
	ctx := context.Background()
	bare := bareRepo(t)
	const uid, gid = 65534, 65534
	// The source repository must be readable by that uid, and git must
	// accept a repository owned by someone else.
	for p := bare; p != "/" && p != os.TempDir(); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := filepath.Walk(bare, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return os.Chmod(p, 0o755)
		}
		return os.Chmod(p, 0o644)
	}); err != nil {
		t.Fatal(err)
	}
	gitconfig := filepath.Join(t.TempDir(), "gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[safe]\n\tdirectory = *\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(gitconfig), 0o755); err != nil {
		t.Fatal(err)
	}
	rootDir := t.TempDir()
	if err := os.Chmod(rootDir, 0o755); err != nil {
		t.Fatal(err)
	}
	m := newTestManager(t, Options{
		Root:       filepath.Join(rootDir, "workspaces"),
		Env:        []string{"GIT_CONFIG_GLOBAL=" + gitconfig},
		Credential: func(string) (*syscall.Credential, error) { return &syscall.Credential{Uid: uid, Gid: gid}, nil },
	})
	if err := os.Chmod(m.root, 0o755); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	if err := m.Clone(ctx, "alice", "mine", "file://"+bare, &progress); err != nil {
		t.Fatalf("Clone as uid %d: %v\n%s", uid, err, progress.String())
	}
	for _, p := range []string{"", "mine", "mine/README"} {
		fi, err := os.Lstat(filepath.Join(m.root, "alice", p))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != uid || st.Gid != gid {
			t.Errorf("%s owned by %d:%d; want %d:%d", p, st.Uid, st.Gid, uid, gid)
		}
	}
	got, err := m.List(ctx, "alice")
	if err != nil || len(got) != 1 || got[0].Branch != "main" || got[0].Dirty {
		t.Errorf("List as uid %d: got %+v, %v; want clean main", uid, got, err)
	}
	if dir, err := m.Ensure(ctx, "alice", "plain"); err != nil {
		t.Fatal(err)
	} else if st := mustStat(t, dir); st.Uid != uid {
		t.Errorf("ensured workspace owned by %d; want %d", st.Uid, uid)
	}
}

func mustStat(t *testing.T, p string) *syscall.Stat_t {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t)
}

// A login whose credential cannot be had gets nothing done in its tree:
// git never falls back to running as the server.
func TestCredentialErrorStopsEveryOperation(t *testing.T) {
	ctx := context.Background()
	refused := errors.New("no uid left")
	m := newTestManager(t, Options{
		Credential: func(string) (*syscall.Credential, error) { return nil, refused },
	})
	if _, err := m.Create(ctx, "alice", "a"); !errors.Is(err, refused) {
		t.Errorf("Create: %v; want the credential error", err)
	}
	if _, err := m.Ensure(ctx, "alice", "a"); !errors.Is(err, refused) {
		t.Errorf("Ensure: %v; want the credential error", err)
	}
	if err := m.Clone(ctx, "alice", "b", "file://"+bareRepo(t), nil); !errors.Is(err, refused) {
		t.Errorf("Clone: %v; want the credential error", err)
	}
	if _, err := m.List(ctx, "alice"); !errors.Is(err, refused) {
		t.Errorf("List: %v; want the credential error", err)
	}
	if _, err := os.Lstat(filepath.Join(m.root, "alice")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the login's tree was made anyway: %v", err)
	}
}

// Options.Wrap sees every git command before it starts, and its error
// stops the command.
func TestWrapAppliesToGit(t *testing.T) {
	ctx := context.Background()
	var seen []string
	stop := errors.New("wrapped away")
	m := newTestManager(t, Options{
		Wrap: func(login string, cmd *exec.Cmd) error {
			seen = append(seen, login+": "+strings.Join(cmd.Args[1:2], " "))
			return stop
		},
	})
	if err := m.Clone(ctx, "alice", "w", "file://"+bareRepo(t), nil); !errors.Is(err, stop) {
		t.Errorf("Clone: %v; want the wrap's error", err)
	}
	if len(seen) != 1 || seen[0] != "alice: clone" {
		t.Errorf("wrap saw %q; want one clone of alice", seen)
	}
	if infos, err := m.List(ctx, "alice"); err != nil || len(infos) != 0 {
		t.Errorf("List after the stopped clone: %v, %v; want nothing", infos, err)
	}
}
