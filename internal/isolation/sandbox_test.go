package isolation

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestSandboxWrapArgv(t *testing.T) {
	s := Sandbox{
		Bwrap:    "/usr/bin/bwrap",
		Hide:     []string{"/srv/warren/", "/etc/warren/keys"},
		Writable: []string{"/srv/warren/workspaces/alice/w1/", "/srv/warren/homes/alice"},
		UID:      20001,
		GID:      20002,
	}
	prefix := []string{"bwrap",
		"--die-with-parent",
		"--unshare-user", "--uid", "20001", "--gid", "20002",
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		"--ro-bind", "/", "/",
		"--dev", "/dev",
		"--proc", "/proc",
		"--tmpfs", "/tmp",
		// Hidden first, so that the writable directories inside show through.
		"--tmpfs", "/srv/warren",
		"--tmpfs", "/etc/warren/keys",
		"--bind", "/srv/warren/workspaces/alice/w1", "/srv/warren/workspaces/alice/w1",
		"--bind", "/srv/warren/homes/alice", "/srv/warren/homes/alice",
	}
	tests := []struct {
		name string
		dir  string
		want []string
	}{
		{name: "with a directory", dir: "/srv/warren/workspaces/alice/w1", want: slices.Concat(prefix, []string{"--chdir", "/srv/warren/workspaces/alice/w1", "--", "/usr/bin/claude", "--resume", "a b"})},
		{name: "without", want: slices.Concat(prefix, []string{"--", "/usr/bin/claude", "--resume", "a b"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("/usr/bin/claude", "--resume", "a b")
			cmd.Dir = tt.dir
			cmd.Env = []string{"TERM=xterm"}
			if err := s.Wrap(cmd); err != nil {
				t.Fatalf("Wrap: %v", err)
			}
			if cmd.Path != s.Bwrap {
				t.Errorf("Path: got %q; want %q", cmd.Path, s.Bwrap)
			}
			if !slices.Equal(cmd.Args, tt.want) {
				t.Errorf("Args:\ngot  %q\nwant %q", cmd.Args, tt.want)
			}
			if cmd.Dir != tt.dir || !slices.Equal(cmd.Env, []string{"TERM=xterm"}) {
				t.Errorf("Wrap changed the directory or environment: %q %q", cmd.Dir, cmd.Env)
			}
		})
	}

	cmd := exec.Command("warren-test-no-such-program")
	if err := s.Wrap(cmd); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Wrap of a program not found: got %v; want %v", err, exec.ErrNotFound)
	}
	if cmd.Path == s.Bwrap {
		t.Errorf("Wrap rewrote a failed command: %q", cmd.Args)
	}
}

// TestSandboxWrapThenShim: the server wraps in the sandbox first and the
// shim second, so the shim execs bwrap, which runs the program.
func TestSandboxWrapThenShim(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "id")
	if err := (Sandbox{Bwrap: "/usr/bin/bwrap", UID: 20000, GID: 20000}).Wrap(cmd); err != nil {
		t.Fatal(err)
	}
	if err := Wrap(cmd, "/usr/local/bin/warren", Limits{Files: 100}); err != nil {
		t.Fatal(err)
	}
	head := []string{"warren", "session-exec", "-umask", "77", "-nproc", "0", "-nofile", "100", "--", "/usr/bin/bwrap", "bwrap"}
	tail := []string{"--", "/bin/sh", "-c", "id"}
	if cmd.Path != "/usr/local/bin/warren" || !slices.Equal(cmd.Args[:len(head)], head) || !slices.Equal(cmd.Args[len(cmd.Args)-len(tail):], tail) {
		t.Errorf("got %q %q; want %q … %q", cmd.Path, cmd.Args, head, tail)
	}
}

// sandboxScript reports, one key=value a line, what a program in the
// sandbox sees.
const sandboxScript = `
echo "uid=$(id -u)"
echo "groups=$(id -G)"
echo "umask=$(umask)"
echo "nofile=$(ulimit -n)"
echo "pwd=$(pwd)"
echo "data=$(ls -A "$DATA" | tr '\n' ' ')"
echo "tree=$(ls -A "$DATA/workspaces" | tr '\n' ' ')"
echo "keys=$(ls -A "$KEYS" | tr '\n' ' ')"
if cat "$DATA/secret" >/dev/null 2>&1; then echo secret=visible; else echo secret=hidden; fi
echo "write=$(echo written >"$WS/file" 2>&1 && cat "$WS/file")"
echo "usr=$(touch /usr/warren-sandbox-test 2>&1)"
echo "procs=$(ls /proc | grep -c '^[0-9]')"
`

// TestSandboxRun runs a program as a login in the sandbox, on its own and
// through the shim, as the server does: the data dir and the host keys
// hidden, only the login's workspace writable.
func TestSandboxRun(t *testing.T) {
	requireRoot(t)
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		t.Fatal("needs bubblewrap: apt-get install bubblewrap (.ci/run does)")
	}
	for _, shim := range []bool{false, true} {
		name := "sandbox"
		if shim {
			name = "sandbox then shim"
		}
		t.Run(name, func(t *testing.T) {
			base := reachableTempDir(t)
			data := filepath.Join(base, "data")
			keys := filepath.Join(base, "keys")
			tree := filepath.Join(data, "workspaces")
			ws := filepath.Join(tree, "alice")
			for d, perm := range map[string]os.FileMode{data: 0o711, keys: 0o755, tree: 0o711, ws: 0o700} {
				if err := os.MkdirAll(d, perm); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(d, perm); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chown(ws, testUID, testUID); err != nil {
				t.Fatal(err)
			}
			writeFile(t, data, "secret", "the database", 0o644)
			writeFile(t, keys, "ssh_host_ed25519_key.pub", "a host key", 0o644)

			cmd := exec.Command("/bin/sh", "-c", sandboxScript)
			cmd.Dir = ws
			cmd.Env = []string{"PATH=/usr/bin:/bin", "DATA=" + data, "KEYS=" + keys, "WS=" + ws}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testUID, Gid: testUID, Groups: []uint32{}}}
			sb := Sandbox{Bwrap: bwrap, Hide: []string{data, keys}, Writable: []string{ws}, UID: testUID, GID: testUID}
			if err := sb.Wrap(cmd); err != nil {
				t.Fatal(err)
			}
			if shim {
				if err := Wrap(cmd, shimBinary(t), Limits{Procs: 64, Files: 128}); err != nil {
					t.Fatal(err)
				}
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%q: %v; stderr: %s", cmd.Args, err, stderr.Bytes())
			}
			got := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				k, v, _ := strings.Cut(line, "=")
				got[k] = strings.TrimSpace(v)
			}
			want := map[string]string{
				"uid":    "20000",
				"groups": "20000",
				"pwd":    ws,
				"data":   "workspaces", // only the way to the workspace
				"tree":   "alice",
				"keys":   "",
				"secret": "hidden",
				"write":  "written",
			}
			if shim {
				want["umask"], want["nofile"] = "0077", "128"
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: got %q; want %q", k, got[k], w)
				}
			}
			if !strings.Contains(got["usr"], "Read-only file system") {
				t.Errorf("writing to /usr: got %q; want Read-only file system", got["usr"])
			}
			if n := got["procs"]; len(n) != 1 { // fewer than 10: bwrap, sh and the pipe
				t.Errorf("processes in /proc: got %q; want a few, in a pid namespace of its own", n)
			}
			// The write landed in the real workspace, as the login's.
			uid, _, perm := owner(t, filepath.Join(ws, "file"))
			if uid != testUID {
				t.Errorf("file written in the sandbox: got owner %d; want %d", uid, testUID)
			}
			if shim && perm != 0o600 {
				t.Errorf("file written through the shim: got mode %04o; want 0600 (umask 077)", perm)
			}
		})
	}
}
