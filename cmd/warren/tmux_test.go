package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// tmuxServer is a private tmux server (its own socket) in which scripts run
// the real ssh client in a real terminal.
type tmuxServer struct {
	socket  string
	started bool
}

type tmuxKey struct{}

func tmuxOf(ts *testscript.TestScript) *tmuxServer { return ts.Value(tmuxKey{}).(*tmuxServer) }

// run runs a tmux client command against the private server.
func (t *tmuxServer) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", t.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// newSession starts a detached tmux session, and the private server with it
// when there is none (with no config file). Killing the last session ends
// the server, asynchronously; a session started at that moment meets a
// dying server, so that case is retried.
func (t *tmuxServer) newSession(args ...string) (string, error) {
	var out string
	var err error
	for range 5 {
		out, err = t.run(append([]string{"-f", "/dev/null", "new-session", "-d"}, args...)...)
		if err == nil || !strings.Contains(out, "server exited unexpectedly") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return out, err
}

// tmux-ssh [-size COLSxROWS] [-o OPT]... NAME KEY LOGIN [COMMAND...]: opens
// a tmux window NAME running `ssh -t` to the server (default size 80x24).
func cmdTmuxSSH(ts *testscript.TestScript, neg bool, args []string) {
	size := "80x24"
	var opts []string
	for len(args) >= 2 && (args[0] == "-size" || args[0] == "-o") {
		if args[0] == "-size" {
			size = args[1]
		} else {
			opts = append(opts, "-o", args[1])
		}
		args = args[2:]
	}
	if neg || len(args) < 3 {
		ts.Fatalf("usage: tmux-ssh [-size COLSxROWS] NAME KEY LOGIN [COMMAND...]")
	}
	cols, rows, ok := strings.Cut(size, "x")
	if !ok {
		ts.Fatalf("tmux-ssh: bad size %q", size)
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		ts.Fatalf("tmux-ssh: tmux is not installed (apt-get install tmux): %v", err)
	}
	t := tmuxOf(ts)
	sshCmd := append(append([]string{"ssh", "-t"}, opts...), sshArgs(ts, args[1], args[2])...)
	sshCmd = append(sshCmd, args[3:]...)
	// The pane stays after ssh exits so its last screen can be read.
	shell := shellQuote(sshCmd) + "; echo \"[ssh exited $?]\"; sleep 3600"
	// One tmux session per window: each keeps the size it was created
	// with. (tmux 3.3a crashes on new-window after window-size manual and
	// resize-window, so sizes are not set that way.)
	out, err := t.newSession("-s", args[0], "-x", cols, "-y", rows, "-e", "TERM=xterm-256color", shell)
	if err != nil {
		ts.Fatalf("tmux-ssh: %v: %s", err, out)
	}
	if !t.started {
		t.started = true
		ts.Defer(func() { _, _ = t.run("kill-server") })
	}
}

func shellQuote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// tmux-send NAME KEYS...: types into window NAME (tmux send-keys syntax;
// a -l first sends the rest literally).
func cmdTmuxSend(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: tmux-send NAME [-l] KEYS...")
	}
	out, err := tmuxOf(ts).run(append([]string{"send-keys", "-t", args[0] + ":"}, args[1:]...)...)
	if err != nil {
		ts.Fatalf("tmux-send: %v: %s", err, out)
	}
}

func capture(ts *testscript.TestScript, name string) string {
	out, err := tmuxOf(ts).run("capture-pane", "-p", "-J", "-t", name+":")
	if err != nil {
		ts.Fatalf("capture-pane %s: %v: %s", name, err, out)
	}
	return out
}

// tmux-wait [-within DURATION] NAME REGEXP: waits until window NAME's
// screen matches (with !, until it no longer does).
func cmdTmuxWait(ts *testscript.TestScript, neg bool, args []string) {
	within := waitDeadline
	if len(args) >= 2 && args[0] == "-within" {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		within, args = d, args[2:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: tmux-wait [-within DURATION] NAME REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	deadline := time.Now().Add(within)
	var screen string
	for time.Now().Before(deadline) {
		screen = capture(ts, args[0])
		if re.MatchString(screen) != neg {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("tmux-wait: window %s: want match=%v for %q within %s; screen:\n%s", args[0], !neg, args[1], within, screen)
}

// tmux-gone [-within DURATION] NAME: waits until ssh in window NAME has exited.
func cmdTmuxGone(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: tmux-gone [-within DURATION] NAME")
	}
	name := args[len(args)-1]
	cmdTmuxWait(ts, neg, append(args[:len(args)-1:len(args)-1], name, `\[ssh exited \d+\]`))
}

// tmux-grep NAME REGEXP VAR: waits until window NAME's screen matches
// REGEXP and sets $VAR to its first group.
func cmdTmuxGrep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: tmux-grep NAME REGEXP VAR")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	deadline := time.Now().Add(waitDeadline)
	var screen string
	for time.Now().Before(deadline) {
		screen = capture(ts, args[0])
		if m := re.FindStringSubmatch(screen); len(m) > 1 {
			ts.Setenv(args[2], m[1])
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("tmux-grep: window %s: no match for %q within %s; screen:\n%s", args[0], args[1], waitDeadline, screen)
}

// tmux-history NAME: prints window NAME's scrollback and screen to stdout.
func cmdTmuxHistory(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tmux-history NAME")
	}
	out, err := tmuxOf(ts).run("capture-pane", "-p", "-J", "-S", "-", "-t", args[0]+":")
	if err != nil {
		ts.Fatalf("tmux-history: %v: %s", err, out)
	}
	fmt.Fprint(ts.Stdout(), out)
}

// tmux-until [-within DURATION] NAME KEY REGEXP: presses KEY in window NAME,
// once a second, until the screen matches REGEXP: for programs that drop
// keys typed before they are ready to read them.
func cmdTmuxUntil(ts *testscript.TestScript, neg bool, args []string) {
	within := waitDeadline
	if len(args) >= 2 && args[0] == "-within" {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		within, args = d, args[2:]
	}
	if neg || len(args) != 3 {
		ts.Fatalf("usage: tmux-until [-within DURATION] NAME KEY REGEXP")
	}
	re, err := regexp.Compile(args[2])
	ts.Check(err)
	deadline := time.Now().Add(within)
	var screen string
	for time.Now().Before(deadline) {
		if out, err := tmuxOf(ts).run("send-keys", "-t", args[0]+":", args[1]); err != nil {
			ts.Fatalf("tmux-until: %v: %s", err, out)
		}
		for next := time.Now().Add(time.Second); time.Now().Before(next); time.Sleep(50 * time.Millisecond) {
			if screen = capture(ts, args[0]); re.MatchString(screen) {
				return
			}
		}
	}
	ts.Fatalf("tmux-until: window %s: no match for %q within %s; screen:\n%s", args[0], args[2], within, screen)
}

// tmux-steady NAME DURATION: waits until window NAME's screen has not
// changed for DURATION: for programs that redraw while they start up.
func cmdTmuxSteady(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tmux-steady NAME DURATION")
	}
	quiet, err := time.ParseDuration(args[1])
	ts.Check(err)
	deadline := time.Now().Add(waitDeadline + quiet)
	last, since := capture(ts, args[0]), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if cur := capture(ts, args[0]); cur != last {
			last, since = cur, time.Now()
		} else if time.Since(since) >= quiet {
			return
		}
	}
	ts.Fatalf("tmux-steady: window %s kept changing for %s:\n%s", args[0], waitDeadline, last)
}

// tmux-sshpid NAME VAR: sets $VAR to the pid of the ssh client in window NAME.
func cmdTmuxSSHPid(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tmux-sshpid NAME VAR")
	}
	out, err := tmuxOf(ts).run("display-message", "-p", "-t", args[0]+":", "#{pane_pid}")
	if err != nil {
		ts.Fatalf("tmux-sshpid: %v: %s", err, out)
	}
	pids, err := exec.Command("pgrep", "-P", strings.TrimSpace(out), "-x", "ssh").Output()
	if err != nil {
		ts.Fatalf("tmux-sshpid: no ssh under pane %s: %v", strings.TrimSpace(out), err)
	}
	ts.Setenv(args[1], strings.Fields(string(pids))[0])
}

// tmux-alive NAME: fails if ssh in window NAME has exited.
func cmdTmuxAlive(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tmux-alive NAME")
	}
	if screen := capture(ts, args[0]); exitedLine.MatchString(screen) {
		ts.Fatalf("tmux-alive: ssh in %s has exited:\n%s", args[0], screen)
	}
}

var exitedLine = regexp.MustCompile(`\[ssh exited \d+\]`)

// tmux-save NAME FILE: writes window NAME's screen to FILE, for cmp, with
// trailing blanks cut from each line: tmux keeps a space a program wrote
// and drops a cell that was erased, which look the same on a terminal.
func cmdTmuxSave(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tmux-save NAME FILE")
	}
	lines := strings.Split(capture(ts, args[0]), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(strings.Join(lines, "\n")), 0o644))
}

// tmux-kill NAME: kills the terminal of window NAME, and the ssh client in
// it, as closing a laptop's terminal would (SIGHUP to ssh).
func cmdTmuxKill(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tmux-kill NAME")
	}
	if out, err := tmuxOf(ts).run("kill-session", "-t", args[0]); err != nil {
		ts.Fatalf("tmux-kill: %v: %s", err, out)
	}
}

// tmux-resize NAME COLSxROWS: resizes window NAME's terminal.
func cmdTmuxResize(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tmux-resize NAME COLSxROWS")
	}
	cols, rows, _ := strings.Cut(args[1], "x")
	if out, err := tmuxOf(ts).run("resize-window", "-t", args[0], "-x", cols, "-y", rows); err != nil {
		ts.Fatalf("tmux-resize: %v: %s", err, out)
	}
}
