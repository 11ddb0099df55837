package main

// The custom commands of the end-to-end scripts. Each reads like a step a
// person would take: make a key, publish it on (fake) GitHub, start the
// server, ssh in, type into a terminal, read the screen.

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	gossh "golang.org/x/crypto/ssh"
)

// Deadlines for waits. Generous: CI machines are small and shared.
const (
	startDeadline = 30 * time.Second
	waitDeadline  = 20 * time.Second
)

func setupScript(env *testscript.Env) error {
	work := env.Getenv("WORK")
	if err := installShim(env); err != nil {
		return err
	}
	if err := reachableBySessions(env, work); err != nil {
		return err
	}
	for _, d := range []string{"keys", "github", "home"} {
		if err := os.MkdirAll(filepath.Join(work, d), 0o700); err != nil {
			return err
		}
	}
	env.Setenv("HOME", filepath.Join(work, "home"))
	gh := newFakeGitHub(filepath.Join(work, "github"))
	env.Values[fakeGitHubKey{}] = gh
	env.Setenv("GITHUB_URL", gh.url())
	env.Defer(gh.close)
	env.Values[serverKey{}] = &serverProc{}
	env.Values[floodKey{}] = &floodState{}
	env.Values[bgKey{}] = map[string]*bgSSH{}
	env.Values[tmuxKey{}] = &tmuxServer{socket: fmt.Sprintf("warren-e2e-%d-%s", os.Getpid(), filepath.Base(work))}
	return nil
}

var (
	shimOnce sync.Once
	shimErr  error
)

// installShim builds cmd/warren-session-exec beside the test binary's copy
// that scripts run as warren, where warren looks for it: sessions then
// start through the standalone shim, as in the image.
func installShim(env *testscript.Env) error {
	shimOnce.Do(func() {
		bin, err := binDir(env)
		if err != nil {
			shimErr = err
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "warren-session-exec"), "../warren-session-exec").CombinedOutput()
		if err != nil {
			shimErr = fmt.Errorf("build warren-session-exec: %v\n%s", err, out)
		}
	})
	return shimErr
}

// binDir is testscript's directory of the test binary's copies.
func binDir(env *testscript.Env) (string, error) {
	for _, dir := range filepath.SplitList(env.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(dir, "fakeclaude")); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("testscript's bin directory is not on PATH")
}

// reachableBySessions lets programs running as other uids (isolated mode,
// when the tests run as root) pass through the script's work directory to
// their own directories under $WORK/data, and run the test binary's copies
// in testscript's bin directory (warren itself, fakeclaude), which are kept
// in 0700 temporary directories. Only search permission is added: nobody
// else can list them.
func reachableBySessions(env *testscript.Env, work string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	bin, err := binDir(env)
	if err != nil {
		return err
	}
	for _, d := range []string{filepath.Dir(bin), bin, filepath.Dir(work), work} {
		if err := os.Chmod(d, 0o711); err != nil {
			return err
		}
	}
	return nil
}

func scriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"keygen":             cmdKeygen,
		"publish":            cmdPublish,
		"github":             cmdGitHub,
		"serve":              cmdServe,
		"signal":             cmdSignal,
		"waitexit":           cmdWaitExit,
		"waitlog":            cmdWaitLog,
		"ssh-as":             cmdSSHAs,
		"fingerprint":        cmdFingerprint,
		"httpget":            cmdHTTPGet,
		"tmux-ssh":           cmdTmuxSSH,
		"tmux-send":          cmdTmuxSend,
		"tmux-wait":          cmdTmuxWait,
		"tmux-gone":          cmdTmuxGone,
		"tmux-alive":         cmdTmuxAlive,
		"readonly":           cmdReadonly,
		"tmux-save":          cmdTmuxSave,
		"tmux-kill":          cmdTmuxKill,
		"tmux-resize":        cmdTmuxResize,
		"tmux-grep":          cmdTmuxGrep,
		"tmux-history":       cmdTmuxHistory,
		"pidgone":            cmdPidGone,
		"tmux-until":         cmdTmuxUntil,
		"tmux-steady":        cmdTmuxSteady,
		"tmux-sshpid":        cmdTmuxSSHPid,
		"need":               cmdNeed,
		"flood":              cmdFlood,
		"waitexists":         cmdWaitExists,
		"metric":             cmdMetric,
		"killclients":        cmdKillClients,
		"tmpfs":              cmdTmpfs,
		"fill":               cmdFill,
		"filesize":           cmdFileSize,
		"slowloris":          cmdSlowloris,
		"chownlike":          cmdChownLike,
		"ssh-bg":             cmdSSHBg,
		"ssh-until":          cmdSSHUntil,
		"metric-same-growth": cmdMetricSameGrowth,
		"metric-grows":       cmdMetricGrows,
		"tmux-row":           cmdTmuxRow,
		"chown":              cmdChown,
		"stopwatch":          cmdStopwatch,
		"gitd":               cmdGitd,
		"silent":             cmdSilent,
		"wrongkeys":          cmdWrongKeys,
		"hammer":             cmdHammer,
		"ssh-retry":          cmdSSHRetry,
		"agent-churn":        cmdAgentChurn,
	}
}

// keygen [-rsa] NAME: a fresh ed25519 (or RSA-3072) key pair in
// $WORK/keys/NAME{,.pub}.
func cmdKeygen(ts *testscript.TestScript, neg bool, args []string) {
	useRSA := len(args) == 2 && args[0] == "-rsa"
	if useRSA {
		args = args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: keygen [-rsa] NAME")
	}
	var priv, pub any
	if useRSA {
		k, err := rsa.GenerateKey(rand.Reader, 3072)
		ts.Check(err)
		priv, pub = k, &k.PublicKey
	} else {
		p, k, err := ed25519.GenerateKey(rand.Reader)
		ts.Check(err)
		priv, pub = k, p
	}
	block, err := gossh.MarshalPrivateKey(priv, args[0])
	ts.Check(err)
	sshPub, err := gossh.NewPublicKey(pub)
	ts.Check(err)
	path := ts.MkAbs(filepath.Join("keys", args[0]))
	ts.Check(os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
	ts.Check(os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(sshPub), 0o644))
}

// publish LOGIN KEY...: fake GitHub serves these keys at /LOGIN.keys.
func cmdPublish(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: publish LOGIN [KEY...]")
	}
	var body []byte
	for _, k := range args[1:] {
		body = append(body, ts.ReadFile(filepath.Join("keys", k+".pub"))...)
	}
	// Written aside and renamed into place: the fake GitHub must never read
	// a half-written file, which would look like a login with no keys.
	path := ts.MkAbs(filepath.Join("github", args[0]+".keys"))
	ts.Check(os.WriteFile(path+".tmp", body, 0o644))
	ts.Check(os.Rename(path+".tmp", path))
}

// fingerprint KEY: prints the SHA256 fingerprint of $WORK/keys/KEY.pub and
// sets $FP_KEY to it.
func cmdFingerprint(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fingerprint KEY")
	}
	pub, _, _, _, err := gossh.ParseAuthorizedKey([]byte(ts.ReadFile(filepath.Join("keys", args[0]+".pub"))))
	ts.Check(err)
	fp := gossh.FingerprintSHA256(pub)
	ts.Setenv("FP_"+args[0], fp)
	fmt.Fprintln(ts.Stdout(), fp)
}

// serverProc is the warren process a script started.
type serverProc struct {
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	log    string
	offset int64 // where waitlog starts reading after a restart
}

type serverKey struct{}

func warrenProc(ts *testscript.TestScript) *serverProc { return ts.Value(serverKey{}).(*serverProc) }

var listenLine = regexp.MustCompile(`msg="warren listening" ssh=(\S+) http=(\S*)`)

// serve [-dropcaps | -no-nss-wrapper] [-umask MASK] [-defaults [-as USER]] [FLAGS...]: starts warren serve on 127.0.0.1:0 with the script's data
// dir and fake GitHub, waits until it listens, and sets $PORT and $HTTP.
// -dropcaps runs it through setpriv without CAP_SETUID and CAP_SETGID.
// -no-nss-wrapper runs it where libnss_wrapper.so is not installed.
// -umask MASK runs it under that umask (octal).
// -defaults starts it as `go run ./cmd/warren serve` from $PWD would (see
// goRun), with the default --data and --host-keys.
// Its log goes to $WORK/server.log (appended across restarts). With !,
// expects start-up to fail and puts the error in stderr.
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	sp := warrenProc(ts)
	if sp.cmd != nil && sp.done != nil {
		select {
		case <-sp.done:
		default:
			ts.Fatalf("serve: a server is already running")
		}
	}
	var prefix []string
	if len(args) > 0 && args[0] == "-dropcaps" {
		// Root without the capabilities to switch uids: shared mode.
		prefix, args = []string{lookPath(ts, "setpriv"), "--bounding-set=-setuid,-setgid", "--"}, args[1:]
	}
	if len(args) > 0 && args[0] == "-no-nss-wrapper" {
		prefix, args = withoutNSSWrapper(ts), args[1:]
	}
	if len(args) > 1 && args[0] == "-umask" {
		prefix, args = append(prefix, umaskPrefix(ts, args[1])...), args[2:]
	}
	bin, defaults := lookPath(ts, "warren"), false
	if len(args) > 0 && args[0] == "-defaults" {
		var wrap []string
		bin, wrap, args = goRun(ts, args[1:])
		prefix, defaults = append(prefix, wrap...), true
	}
	flags := []string{"serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"}
	if !defaults {
		flags = append(flags, "--data", ts.MkAbs("data"), "--host-keys", ts.MkAbs("hostkeys"))
	}
	flags = append(flags, "--github-url", ts.Getenv("GITHUB_URL"), "--log-level", "debug")
	if os.Geteuid() != 0 {
		// Not root: warren cannot switch uids, and scripts with an allowlist
		// run in shared mode. Isolation itself is tested as root (CI).
		flags = append(flags, "--allow-shared-uid")
	}
	flags = append(flags, args...)
	sp.log = ts.MkAbs("server.log")
	logf, err := os.OpenFile(sp.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	ts.Check(err)
	fi, _ := logf.Stat()
	sp.offset = fi.Size()
	argv := append(append(prefix, bin), flags...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = serverEnv(ts)
	cmd.Dir = ts.MkAbs(".")
	cmd.Stdout, cmd.Stderr = logf, logf
	ts.Check(cmd.Start())
	logf.Close()
	sp.cmd, sp.done = cmd, make(chan struct{})
	// The waiter ends when the server process exits.
	go func(done chan struct{}) {
		sp.err = cmd.Wait()
		close(done)
	}(sp.done)
	ts.Defer(func() {
		_ = cmd.Process.Kill()
		<-sp.done
	})

	deadline := time.Now().Add(startDeadline)
	for time.Now().Before(deadline) {
		text := readFrom(sp.log, sp.offset)
		if m := listenLine.FindStringSubmatch(text); m != nil {
			if neg {
				ts.Fatalf("serve: started, but it was expected to fail")
			}
			_, port, _ := strings.Cut(m[1], "127.0.0.1:")
			ts.Setenv("PORT", port)
			ts.Setenv("HTTP", m[2])
			return
		}
		select {
		case <-sp.done:
			text = readFrom(sp.log, sp.offset)
			fmt.Fprint(ts.Stderr(), text)
			if neg {
				return
			}
			ts.Fatalf("serve: warren exited before listening: %v\n%s", sp.err, text)
		case <-time.After(50 * time.Millisecond):
		}
	}
	ts.Fatalf("serve: warren did not listen within %s\n%s", startDeadline, readFrom(sp.log, sp.offset))
}

func lookPath(ts *testscript.TestScript, name string) string {
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	ts.Fatalf("%s not found on PATH", name)
	return ""
}

// serverEnv is the server's environment: the script's PATH and HOME, and
// any WARREN_*, ANTHROPIC_* or FAKE_* variable the script set.
func serverEnv(ts *testscript.TestScript) []string {
	env := []string{
		"PATH=" + ts.Getenv("PATH"),
		"HOME=" + ts.Getenv("HOME"),
		"USER=" + ts.Getenv("USER"),
		"LANG=C.UTF-8",
		"TMPDIR=" + ts.Getenv("TMPDIR"),
	}
	for _, name := range strings.Fields(ts.Getenv("SERVER_ENV")) {
		env = append(env, name+"="+ts.Getenv(name))
	}
	return env
}

func readFrom(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

// signal NAME: sends SIGTERM, SIGKILL, SIGHUP or SIGINT to the server.
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: signal TERM|KILL|HUP|INT")
	}
	sigs := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL, "HUP": syscall.SIGHUP, "INT": syscall.SIGINT}
	sig, ok := sigs[args[0]]
	if !ok {
		ts.Fatalf("signal: unknown signal %q", args[0])
	}
	sp := warrenProc(ts)
	if sp.cmd == nil {
		ts.Fatalf("signal: no server")
	}
	ts.Check(sp.cmd.Process.Signal(sig))
}

// waitexit [CODE]: waits for the server to exit, and checks its exit code.
func cmdWaitExit(ts *testscript.TestScript, neg bool, args []string) {
	sp := warrenProc(ts)
	select {
	case <-sp.done:
	case <-time.After(startDeadline):
		ts.Fatalf("waitexit: warren still running after %s", startDeadline)
	}
	if len(args) == 1 {
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		if got := sp.cmd.ProcessState.ExitCode(); got != want {
			ts.Fatalf("waitexit: exit code %d; want %d\n%s", got, want, readFrom(sp.log, sp.offset))
		}
	}
}

// waitlog REGEXP: waits until the server's log (since its last start) matches.
func cmdWaitLog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitlog REGEXP")
	}
	re, err := regexp.Compile(args[0])
	ts.Check(err)
	sp := warrenProc(ts)
	deadline := time.Now().Add(waitDeadline)
	for time.Now().Before(deadline) {
		if re.MatchString(readFrom(sp.log, sp.offset)) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("waitlog: no match for %q within %s:\n%s", args[0], waitDeadline, readFrom(sp.log, sp.offset))
}

// sshArgs are the real OpenSSH client's options for talking to the
// script's server as LOGIN with key KEY. HostKeyAlias pins the host key
// across restarts on new ports, so a changed host key fails the script.
func sshArgs(ts *testscript.TestScript, key, login string) []string {
	return []string{"-F", "none",
		"-p", ts.Getenv("PORT"),
		"-i", ts.MkAbs(filepath.Join("keys", key)),
		"-o", "IdentitiesOnly=yes",
		"-o", "UserKnownHostsFile=" + ts.MkAbs("known_hosts"),
		"-o", "HostKeyAlias=warren-under-test",
		"-o", "StrictHostKeyChecking=accept-new",
		"-o", "BatchMode=yes",
		"-o", "ConnectTimeout=10",
		"-o", "LogLevel=ERROR",
		"-l", login, "127.0.0.1",
	}
}

// ssh-as [-o OPT]... [-within DURATION] KEY LOGIN [COMMAND...]: runs the real ssh client; with
// !, expects it to fail. Extra -o options come first; a KEY of the form
// A+B offers several identities in that order (B.pub alone offers B's
// public key without being able to sign with it).
func cmdSSHAs(ts *testscript.TestScript, neg bool, args []string) {
	var extra []string
	within := time.Duration(0)
	for len(args) >= 2 && (args[0] == "-o" || args[0] == "-within") {
		if args[0] == "-within" {
			d, err := time.ParseDuration(args[1])
			ts.Check(err)
			within = d
		} else {
			extra = append(extra, "-o", args[1])
		}
		args = args[2:]
	}
	if len(args) < 2 {
		ts.Fatalf("usage: ssh-as [-o OPT]... KEY LOGIN [COMMAND...]")
	}
	keys := strings.Split(args[0], "+")
	for _, k := range keys[:len(keys)-1] {
		extra = append(extra, "-i", ts.MkAbs(filepath.Join("keys", k)))
	}
	a := append(extra, sshArgs(ts, keys[len(keys)-1], args[1])...)
	a = append(a, args[2:]...)
	started := time.Now()
	err := ts.Exec("ssh", a...)
	if took := time.Since(started); within > 0 && took > within {
		ts.Fatalf("ssh-as: took %s; want at most %s", took.Round(time.Millisecond), within)
	}
	if neg && err == nil {
		ts.Fatalf("ssh-as: succeeded; want failure")
	}
	if !neg && err != nil {
		ts.Fatalf("ssh-as: %v", err)
	}
}

// httpget PATH: GET http://$HTTP/PATH; prints the status line and body.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: httpget PATH")
	}
	resp, err := http.Get("http://" + ts.Getenv("HTTP") + args[0])
	ts.Check(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprintf(ts.Stdout(), "%d\n%s", resp.StatusCode, body)
	if ok := resp.StatusCode == http.StatusOK; ok == neg {
		ts.Fatalf("httpget %s: status %d", args[0], resp.StatusCode)
	}
}

// readonly DIR / readonly -undo DIR: makes DIR unwritable for the server.
// Root ignores modes, so as root DIR is bind-mounted read-only over itself
// (undone at the end of the script); otherwise its mode becomes 0500.
func cmdReadonly(ts *testscript.TestScript, neg bool, args []string) {
	undo := len(args) == 2 && args[0] == "-undo"
	if undo {
		args = args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: readonly [-undo] DIR")
	}
	dir := ts.MkAbs(args[0])
	if os.Geteuid() != 0 {
		mode := os.FileMode(0o500)
		if undo {
			mode = 0o700
		}
		ts.Check(os.Chmod(dir, mode))
		return
	}
	if undo {
		ts.Check(syscall.Unmount(dir, 0))
		return
	}
	ts.Check(syscall.Mount(dir, dir, "", syscall.MS_BIND, ""))
	ts.Defer(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	ts.Check(syscall.Mount(dir, dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""))
}

// pidgone PID: waits until process PID no longer runs (gone, or a zombie
// waiting for init to reap it).
func cmdPidGone(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pidgone PID")
	}
	pid, err := strconv.Atoi(args[0])
	ts.Check(err)
	deadline := time.Now().Add(waitDeadline)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		// The state follows the parenthesised command name.
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("pidgone: process %d still runs after %s", pid, waitDeadline)
}

// need PROGRAM HINT: fails the script, with HINT, when PROGRAM is not on
// PATH. Tools the tests rely on are installed by .ci/run; a missing one is a
// failure, never a silent skip.
func cmdNeed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: need PROGRAM HINT")
	}
	if _, err := exec.LookPath(args[0]); err != nil {
		ts.Fatalf("%s is not installed: %s", args[0], args[1])
	}
}

// floodState is the idle connections a script opened with flood.
type floodState struct {
	conns []net.Conn
}

type floodKey struct{}

// flood N: opens N TCP connections to the server from 127.0.0.1 and sends
// nothing (a pre-authentication flood). flood -closed: waits until the
// server has closed every one of them (reads end).
func cmdFlood(ts *testscript.TestScript, neg bool, args []string) {
	fs := ts.Value(floodKey{}).(*floodState)
	if len(args) == 1 && args[0] == "-closed" {
		deadline := time.Now().Add(2 * startDeadline)
		open := 0
		buf := make([]byte, 512)
		for _, c := range fs.conns {
			_ = c.SetReadDeadline(deadline)
			for { // the server's version banner comes first, then the close
				if _, err := c.Read(buf); err != nil {
					if errors.Is(err, os.ErrDeadlineExceeded) {
						open++
					}
					break
				}
			}
		}
		if open > 0 {
			ts.Fatalf("flood: %d of %d connections still open after %s", open, len(fs.conns), 2*startDeadline)
		}
		return
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: flood N | flood -closed")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, Timeout: 5 * time.Second}
	for range n {
		c, err := d.Dial("tcp", "127.0.0.1:"+ts.Getenv("PORT"))
		if err != nil {
			ts.Fatalf("flood: dial: %v", err)
		}
		fs.conns = append(fs.conns, c)
	}
	ts.Defer(func() {
		for _, c := range fs.conns {
			c.Close()
		}
	})
}

// waitexists PATH: waits until PATH exists.
func cmdWaitExists(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitexists PATH")
	}
	deadline := time.Now().Add(waitDeadline)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("waitexists: %s does not exist after %s", args[0], waitDeadline)
}

// readMetric reads one series from the server's /metrics: NAME as the
// exposition prints it, labels included (warren_x{a="b"}).
func readMetric(ts *testscript.TestScript, name string) (float64, bool) {
	resp, err := http.Get("http://" + ts.Getenv("HTTP") + "/metrics")
	ts.Check(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			ts.Check(err)
			return f, true
		}
	}
	return 0, false
}

// metricValue is readMetric for a series that must exist already.
func metricValue(ts *testscript.TestScript, name string) float64 {
	v, ok := readMetric(ts, name)
	if !ok {
		ts.Fatalf("metric %s not found", name)
	}
	return v
}

// metric NAME VAR: sets $VAR to the server's current value of NAME.
// metric NAME -near VAR TOLERANCE: waits until NAME exists and is within
// TOLERANCE of $VAR (leaks show as a value that never comes back).
// metric NAME -min N: waits until NAME exists and is at least N.
// Counters of connections and sessions may move just after the client
// has seen the end, so a script waits for them rather than reading once.
func cmdMetric(ts *testscript.TestScript, neg bool, args []string) {
	var lo, hi float64
	var want string
	switch {
	case !neg && len(args) == 2:
		ts.Setenv(args[1], strconv.FormatFloat(metricValue(ts, args[0]), 'f', -1, 64))
		return
	case !neg && len(args) == 4 && args[1] == "-near":
		base, err := strconv.ParseFloat(ts.Getenv(args[2]), 64)
		ts.Check(err)
		tol, err := strconv.ParseFloat(args[3], 64)
		ts.Check(err)
		lo, hi, want = base-tol, base+tol, fmt.Sprintf("within %v of %v", tol, base)
	case !neg && len(args) == 3 && args[1] == "-min":
		floor, err := strconv.ParseFloat(args[2], 64)
		ts.Check(err)
		lo, hi, want = floor, math.Inf(1), fmt.Sprintf("at least %v", floor)
	default:
		ts.Fatalf("usage: metric NAME VAR | metric NAME -near VAR TOLERANCE | metric NAME -min N")
	}
	deadline := time.Now().Add(waitDeadline)
	var v float64
	for time.Now().Before(deadline) {
		var ok bool
		if v, ok = readMetric(ts, args[0]); ok && v >= lo && v <= hi {
			fmt.Fprintf(ts.Stdout(), "%s %v (want %s)\n", args[0], v, want)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	ts.Fatalf("metric %s: %v, not %s after %s", args[0], v, want, waitDeadline)
}

// killclients N KEY LOGIN WORKSPACE: N times, attaches a real ssh client to
// WORKSPACE, waits for its first output, and kills it with SIGKILL.
func cmdKillClients(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: killclients N KEY LOGIN WORKSPACE")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	for i := range n {
		a := append([]string{"-tt"}, sshArgs(ts, args[1], args[2])...)
		cmd := exec.Command("ssh", append(a, "attach", args[3])...)
		out, err := cmd.StdoutPipe()
		ts.Check(err)
		in, err := cmd.StdinPipe() // held open: a client that is still typing
		ts.Check(err)
		ts.Check(cmd.Start())
		got := make(chan error, 1)
		// The reader ends at the first bytes or when the client dies.
		go func() {
			_, err := out.Read(make([]byte, 4096))
			got <- err
		}()
		select {
		case err := <-got:
			if err != nil {
				ts.Fatalf("killclients: client %d got no output: %v", i, err)
			}
		case <-time.After(waitDeadline):
			ts.Fatalf("killclients: client %d got no output within %s", i, waitDeadline)
		}
		ts.Check(cmd.Process.Kill())
		_ = cmd.Wait()
		in.Close()
	}
}

// tmpfs DIR SIZE: mounts a tmpfs of SIZE (e.g. 3m) on DIR, unmounted at the
// end of the script. It needs root; scripts that use it carry [root].
func cmdTmpfs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tmpfs DIR SIZE")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o700))
	ts.Check(syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+args[1]+",mode=0700"))
	ts.Defer(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
}

// fill FILE: writes zeros to FILE until the file system is full.
func cmdFill(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fill FILE")
	}
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			ts.Fatalf("fill: %v", err)
		}
	}
}

// filesize FILE VAR: sets $VAR to FILE's size in bytes. filesize FILE -ge
// VAR: fails unless FILE is at least $VAR bytes.
func cmdFileSize(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: filesize FILE VAR | filesize FILE -ge VAR")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if args[1] == "-ge" && len(args) == 3 {
		min, err := strconv.ParseInt(ts.Getenv(args[2]), 10, 64)
		ts.Check(err)
		if fi.Size() < min {
			ts.Fatalf("filesize: %s is %d bytes, less than %d", args[0], fi.Size(), min)
		}
		return
	}
	ts.Setenv(args[1], strconv.FormatInt(fi.Size(), 10))
}

// slowloris MAX: connects, sends an SSH banner, then trickles the start of a
// well-formed 256-byte packet, one byte every 200 ms; fails unless the server closes the connection within MAX (the
// login grace time must be an absolute deadline, not reset by the trickle).
func cmdSlowloris(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: slowloris MAX")
	}
	limit, err := time.ParseDuration(args[0])
	ts.Check(err)
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+ts.Getenv("PORT"), 5*time.Second)
	ts.Check(err)
	defer c.Close()
	start := time.Now()
	closed := make(chan struct{})
	// The reader ends when the server closes the connection.
	go func() {
		_, _ = io.Copy(io.Discard, c)
		close(closed)
	}()
	_, _ = c.Write([]byte("SSH-2.0-slowloris\r\n"))
	packet := append([]byte{0, 0, 1, 0}, make([]byte, 256)...) // length 256, never finished in time
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-closed:
			fmt.Fprintf(ts.Stdout(), "closed after %s\n", time.Since(start).Round(100*time.Millisecond))
			return
		case <-tick.C:
			if time.Since(start) > limit {
				ts.Fatalf("slowloris: still connected after %s", limit)
			}
			_, _ = c.Write(packet[:1])
			packet = packet[1:]
		}
	}
}

// chownlike REF PATH: hands PATH and everything under it to REF's owner, as
// `chown -R --reference` does; a symlink is re-owned, not followed. Used to
// give a login's uid (isolated mode) a file the script made as itself.
func cmdChownLike(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: chownlike REF PATH")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	st := fi.Sys().(*syscall.Stat_t)
	ts.Check(filepath.WalkDir(ts.MkAbs(args[1]), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(st.Uid), int(st.Gid))
	}))
}

type bgKey struct{}

// bgSSH is one ssh client a script left running.
type bgSSH struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// ssh-bg [-zeros N | -hold] NAME KEY LOGIN [SSH-OPTIONS...] [COMMAND...]:
// starts the real ssh client in the background, as ssh-as would (options
// such as -N or -tt go before the destination), with N zero bytes on its
// stdin, or (-hold) a stdin that stays open, else none, and its output
// discarded; it is killed when the script ends.
// ssh-bg -alive NAME: fails unless it still runs (with !, unless it ended).
// ssh-bg -kill NAME: kills it and waits until it has gone.
// ssh-bg -stop NAME, ssh-bg -cont NAME: freezes it (it reads nothing more)
// and lets it go on.
func cmdSSHBg(ts *testscript.TestScript, neg bool, args []string) {
	bgs := ts.Value(bgKey{}).(map[string]*bgSSH)
	if len(args) == 2 && slices.Contains([]string{"-alive", "-kill", "-stop", "-cont"}, args[0]) {
		bg := bgs[args[1]]
		if bg == nil {
			ts.Fatalf("ssh-bg: no client %q", args[1])
		}
		switch args[0] {
		case "-kill":
			_ = bg.cmd.Process.Kill()
			<-bg.done
			return
		case "-stop":
			ts.Check(bg.cmd.Process.Signal(syscall.SIGSTOP))
			return
		case "-cont":
			ts.Check(bg.cmd.Process.Signal(syscall.SIGCONT))
			return
		}
		select {
		case <-bg.done:
			if !neg {
				ts.Fatalf("ssh-bg: %s has ended", args[1])
			}
		default:
			if neg {
				ts.Fatalf("ssh-bg: %s still runs", args[1])
			}
		}
		return
	}
	if neg {
		ts.Fatalf("ssh-bg: unsupported: !")
	}
	var stdin io.Reader = strings.NewReader("")
	switch {
	case len(args) >= 2 && args[0] == "-zeros":
		n, err := strconv.ParseInt(args[1], 10, 64)
		ts.Check(err)
		stdin, args = io.LimitReader(zeros{}, n), args[2:]
	case len(args) >= 1 && args[0] == "-hold":
		// A pipe nobody writes to: the client's input stays open, and
		// empty, until the script ends.
		r, w, err := os.Pipe()
		ts.Check(err)
		ts.Defer(func() { _ = w.Close() })
		stdin, args = r, args[1:]
	}
	if len(args) < 3 {
		ts.Fatalf("usage: ssh-bg [-zeros N | -hold] NAME KEY LOGIN [SSH-OPTIONS...] [COMMAND...]")
	}
	name, key, login, rest := args[0], args[1], args[2], args[3:]
	var opts []string
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
		opts, rest = append(opts, rest[0]), rest[1:]
	}
	a := append(append(opts, sshArgs(ts, key, login)...), rest...)
	cmd := exec.Command(lookPath(ts, "ssh"), a...)
	cmd.Stdin = stdin
	ts.Check(cmd.Start())
	if f, ok := stdin.(*os.File); ok {
		_ = f.Close() // the client has its own copy
	}
	bg := &bgSSH{cmd: cmd, done: make(chan struct{})}
	bgs[name] = bg
	// The waiter ends when the client exits (killed at the latest by the
	// deferred kill below).
	go func() {
		_ = cmd.Wait()
		close(bg.done)
	}()
	ts.Defer(func() {
		_ = cmd.Process.Kill()
		<-bg.done
	})
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
