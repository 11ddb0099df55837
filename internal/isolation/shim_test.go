package isolation

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestWrapArgv(t *testing.T) {
	cmd := exec.Command("/bin/echo", "a", "b c")
	cmd.Dir = "/srv/warren/workspaces/alice/w1"
	cmd.Env = []string{"HOME=/srv/warren/homes/alice", "TERM=xterm-256color"}
	attr := &syscall.SysProcAttr{Setsid: true, Credential: &syscall.Credential{Uid: 20001, Gid: 20001, Groups: []uint32{}}}
	cmd.SysProcAttr = attr
	if err := Wrap(cmd, "/usr/local/bin/warren", Limits{Procs: 512, Files: 1024}); err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	if want := "/usr/local/bin/warren"; cmd.Path != want {
		t.Errorf("Path: got %q; want %q", cmd.Path, want)
	}
	want := []string{"warren", "session-exec", "-umask", "77", "-nproc", "512", "-nofile", "1024", "--", "/bin/echo", "/bin/echo", "a", "b c"}
	if !slices.Equal(cmd.Args, want) {
		t.Errorf("Args:\ngot  %q\nwant %q", cmd.Args, want)
	}
	if cmd.Dir != "/srv/warren/workspaces/alice/w1" || len(cmd.Env) != 2 || cmd.SysProcAttr != attr {
		t.Errorf("Wrap changed the directory, environment or SysProcAttr: %q %q %+v", cmd.Dir, cmd.Env, cmd.SysProcAttr)
	}

	// No limits: zeros, which the shim reads as "keep".
	cmd = exec.Command("/bin/true")
	if err := Wrap(cmd, "/w", Limits{}); err != nil {
		t.Fatal(err)
	}
	want = []string{"warren", "session-exec", "-umask", "77", "-nproc", "0", "-nofile", "0", "--", "/bin/true", "/bin/true"}
	if !slices.Equal(cmd.Args, want) {
		t.Errorf("Args:\ngot  %q\nwant %q", cmd.Args, want)
	}
}

// TestWrapLookPathError: a program exec.Command could not find stays an
// error, never a shim run of an empty path.
func TestWrapLookPathError(t *testing.T) {
	cmd := exec.Command("warren-test-no-such-program")
	args := slices.Clone(cmd.Args)
	if err := Wrap(cmd, "/usr/local/bin/warren", Limits{}); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Wrap: got %v; want %v", err, exec.ErrNotFound)
	}
	if cmd.Path == "/usr/local/bin/warren" || !slices.Equal(cmd.Args, args) {
		t.Errorf("Wrap rewrote a failed command: %q %q", cmd.Path, cmd.Args)
	}
}

// runShimmed runs cmd through the shim (this test binary at self) and
// returns its stdout; it fails the test on any error.
func runShimmed(t *testing.T, cmd *exec.Cmd, self string, l Limits) string {
	t.Helper()
	if err := Wrap(cmd, self, l); err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%q: %v; stderr: %s", cmd.Args, err, stderr.Bytes())
	}
	return string(out)
}

// limitsOf reads "Max processes" and "Max open files" (soft and hard) from
// /proc/<pid>/limits output.
func limitsOf(t *testing.T, out string) map[string][2]string {
	t.Helper()
	got := map[string][2]string{}
	for _, line := range strings.Split(out, "\n") {
		for _, name := range []string{"Max processes", "Max open files"} {
			if rest, ok := strings.CutPrefix(line, name+" "); ok {
				f := strings.Fields(rest)
				got[name] = [2]string{f[0], f[1]}
			}
		}
	}
	if len(got) != 2 {
		t.Fatalf("no limits in %q", out)
	}
	return got
}

// lowerThan picks a limit below res's current hard limit.
func lowerThan(t *testing.T, res int, want uint64) uint64 {
	t.Helper()
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(res, &cur); err != nil {
		t.Fatal(err)
	}
	if cur.Max <= want {
		want = cur.Max - 1
	}
	return want
}

const umaskAndLimits = "umask; cat /proc/self/limits"

func TestShimUmaskAndLimits(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// What a program gets without the shim.
	direct, err := exec.Command("/bin/sh", "-c", umaskAndLimits).Output()
	if err != nil {
		t.Fatal(err)
	}
	inherited := limitsOf(t, string(direct))
	procs, files := lowerThan(t, rlimitNproc, 4096), lowerThan(t, syscall.RLIMIT_NOFILE, 512)
	hardFiles, err := strconv.ParseUint(inherited["Max open files"][1], 10, 64)
	if err != nil {
		t.Fatalf("hard open files limit %q: %v", inherited["Max open files"][1], err)
	}
	p, f := strconv.FormatUint(procs, 10), strconv.FormatUint(files, 10)

	tests := []struct {
		name   string
		limits Limits
		want   map[string][2]string
	}{
		{name: "lowered", limits: Limits{Procs: procs, Files: files}, want: map[string][2]string{"Max processes": {p, p}, "Max open files": {f, f}}},
		{name: "zero keeps the inherited limits", limits: Limits{}, want: inherited},
		{name: "only files", limits: Limits{Files: files}, want: map[string][2]string{"Max processes": inherited["Max processes"], "Max open files": {f, f}}},
		{
			name: "never above the hard limit", limits: Limits{Files: hardFiles + 1000},
			want: map[string][2]string{"Max processes": inherited["Max processes"], "Max open files": {inherited["Max open files"][1], inherited["Max open files"][1]}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runShimmed(t, exec.Command("/bin/sh", "-c", umaskAndLimits), self, tt.limits)
			if first, _, _ := strings.Cut(out, "\n"); first != "0077" {
				t.Errorf("umask: got %q; want %q", first, "0077")
			}
			got := limitsOf(t, out)
			for name, want := range tt.want {
				if got[name] != want {
					t.Errorf("%s (soft, hard): got %q; want %q", name, got[name], want)
				}
			}
		})
	}
}

// TestShimExecs: the shim replaces itself with the program, with the
// program's own argv[0], the environment and directory of the command.
func TestShimExecs(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("/bin/sh", "-c", `echo "$$"; echo "$0"; echo "$WARREN_TEST"; pwd`)
	cmd.Args[0] = "-sh"
	cmd.Dir = dir
	cmd.Env = []string{"WARREN_TEST=passed on", "PATH=/usr/bin:/bin"}
	out := runShimmed(t, cmd, self, Limits{})
	want := []string{strconv.Itoa(cmd.Process.Pid), "-sh", "passed on", dir}
	if got := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); !slices.Equal(got, want) {
		t.Errorf("pid, $0, environment, directory:\ngot  %q\nwant %q", got, want)
	}
}

func TestShimCannotStart(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	plain := writeFile(t, t.TempDir(), "plain", "#!/bin/sh\n", 0o644)
	for _, tt := range []struct{ name, path string }{
		{"missing", "/nonexistent/warren-test-program"},
		{"not executable", plain},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := &exec.Cmd{Path: tt.path, Args: []string{tt.path}}
			if err := Wrap(cmd, self, Limits{}); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 127 {
				t.Fatalf("got %v; want exit status 127", err)
			}
			if want := "warren: cannot start " + tt.path + ": "; !strings.HasPrefix(stderr.String(), want) || !strings.HasSuffix(stderr.String(), "\r\n") {
				t.Errorf("stderr: got %q; want %q… ending in \\r\\n for the terminal", stderr.String(), want)
			}
		})
	}
}

func TestShimUsage(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{name: "unknown flag", args: []string{"-bogus", "--", "/bin/true", "true"}},
		{name: "bad nproc", args: []string{"-nproc", "many", "--", "/bin/true", "true"}},
		{name: "negative nofile", args: []string{"-nofile", "-1", "--", "/bin/true", "true"}},
		{name: "umask not octal", args: []string{"-umask", "8", "--", "/bin/true", "true"}},
		{name: "umask too big", args: []string{"-umask", "1000", "--", "/bin/true", "true"}},
		{name: "umask negative", args: []string{"-umask", "-1", "--", "/bin/true", "true"}},
		{name: "nothing", args: nil},
		{name: "no program", args: []string{"-umask", "77", "--"}},
		{name: "a path without argv0", args: []string{"--", "/bin/true"}},
		{name: "help", args: []string{"-h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(self, append([]string{ShimCommand}, tt.args...)...)
			cmd.Args[0] = "warren"
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("%q: got %v; want exit status 2", tt.args, err)
			}
			if stderr.Len() == 0 {
				t.Errorf("%q: nothing on stderr", tt.args)
			}
		})
	}
}

// TestShimAsLogin runs a program as a login's uid through the shim, as the
// server does: the uid and gid, no supplementary groups, and the limits.
func TestShimAsLogin(t *testing.T) {
	requireRoot(t)
	self := shimBinary(t)
	cmd := exec.Command("/bin/sh", "-c", "id -u; id -g; id -G; "+umaskAndLimits)
	cmd.Dir = reachableTempDir(t)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testUID, Gid: testUID, Groups: []uint32{}}}
	out := runShimmed(t, cmd, self, Limits{Procs: 64, Files: 256})
	lines := strings.Split(out, "\n")
	if want := []string{"20000", "20000", "20000", "0077"}; !slices.Equal(lines[:4], want) {
		t.Errorf("uid, gid, groups, umask: got %q; want %q", lines[:4], want)
	}
	got := limitsOf(t, out)
	for name, want := range map[string][2]string{"Max processes": {"64", "64"}, "Max open files": {"256", "256"}} {
		if got[name] != want {
			t.Errorf("%s (soft, hard): got %q; want %q", name, got[name], want)
		}
	}
}
