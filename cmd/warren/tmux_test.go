package main

import (
	"fmt"
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

func (t *tmuxServer) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", t.socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
	return string(out), err
}

// tmux-ssh [-size COLSxROWS] NAME KEY LOGIN [COMMAND...]: opens a tmux window
// NAME running `ssh -t` to the server (default size 80x24).
func cmdTmuxSSH(ts *testscript.TestScript, neg bool, args []string) {
	size := "80x24"
	if len(args) >= 2 && args[0] == "-size" {
		size, args = args[1], args[2:]
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
	sshCmd := append([]string{"ssh", "-t"}, sshArgs(ts, args[1], args[2])...)
	sshCmd = append(sshCmd, args[3:]...)
	// The pane stays after ssh exits so its last screen can be read.
	shell := shellQuote(sshCmd) + "; echo \"[ssh exited $?]\"; sleep 3600"
	var err error
	var out string
	if !t.started {
		out, err = t.run("new-session", "-d", "-s", "e2e", "-n", args[0], "-x", cols, "-y", rows, "-e", "TERM=xterm-256color", shell)
		if err == nil {
			t.started = true
			ts.Defer(func() { _, _ = t.run("kill-server") })
			_, _ = t.run("set-option", "-g", "window-size", "manual")
		}
	} else {
		out, err = t.run("new-window", "-d", "-t", "e2e", "-n", args[0], shell)
	}
	if err != nil {
		ts.Fatalf("tmux-ssh: %v: %s", err, out)
	}
	if out, err := t.run("resize-window", "-t", "e2e:"+args[0], "-x", cols, "-y", rows); err != nil {
		ts.Fatalf("tmux-ssh: resize: %v: %s", err, out)
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
	out, err := tmuxOf(ts).run(append([]string{"send-keys", "-t", "e2e:" + args[0]}, args[1:]...)...)
	if err != nil {
		ts.Fatalf("tmux-send: %v: %s", err, out)
	}
}

func capture(ts *testscript.TestScript, name string) string {
	out, err := tmuxOf(ts).run("capture-pane", "-p", "-t", "e2e:"+name)
	if err != nil {
		ts.Fatalf("capture-pane %s: %v: %s", name, err, out)
	}
	return out
}

// tmux-wait NAME REGEXP: waits until window NAME's screen matches.
func cmdTmuxWait(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: tmux-wait NAME REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	deadline := time.Now().Add(waitDeadline)
	var screen string
	for time.Now().Before(deadline) {
		screen = capture(ts, args[0])
		if re.MatchString(screen) != neg {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("tmux-wait: window %s: want match=%v for %q within %s; screen:\n%s", args[0], !neg, args[1], waitDeadline, screen)
}

// tmux-gone NAME: waits until ssh in window NAME has exited.
func cmdTmuxGone(ts *testscript.TestScript, neg bool, args []string) {
	cmdTmuxWait(ts, neg, []string{args[0], `\[ssh exited \d+\]`})
}

// tmux-screen NAME: prints window NAME's screen to stdout, for stdout/cmp.
func cmdTmuxScreen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: tmux-screen NAME")
	}
	fmt.Fprint(ts.Stdout(), capture(ts, args[0]))
}
