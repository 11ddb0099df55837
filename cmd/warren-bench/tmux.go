package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// tmuxSide builds the commands that sshd runs for the tmux side of the
// benchmark: one tmux server on a private socket with an almost empty
// config, so a user's ~/.tmux.conf plays no part.
type tmuxSide struct {
	bin    string // tmux
	socket string
	conf   string
	helper string // the benchmark binary
}

// tmuxConf turns off the status line's timed redraws (the clock), which
// would otherwise land in the middle of echo measurements.
const tmuxConf = "set -g status-interval 0\n"

func newTmuxSide(dir, helper string) (tmuxSide, error) {
	bin, err := exec.LookPath("tmux")
	if err != nil {
		return tmuxSide{}, fmt.Errorf("find tmux: %w", err)
	}
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte(tmuxConf), 0o600); err != nil {
		return tmuxSide{}, fmt.Errorf("write tmux.conf: %w", err)
	}
	return tmuxSide{bin: bin, socket: filepath.Join(dir, "tmux.sock"), conf: conf, helper: helper}, nil
}

// shellQuote quotes s for a POSIX shell (sshd runs commands through the
// user's shell).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (x tmuxSide) base() string {
	return shellQuote(x.bin) + " -S " + shellQuote(x.socket) + " -f " + shellQuote(x.conf)
}

// newSession attaches to session name, creating it with the helper in mode
// if it does not exist; mode "cat" runs cat itself.
func (x tmuxSide) newSession(name, mode string) string {
	prog := "cat"
	if mode != "cat" {
		prog = helperCommand(x.helper, mode)
	}
	return x.base() + " new-session -A -s " + shellQuote(name) + " " + shellQuote(prog)
}

// attach attaches to an existing session.
func (x tmuxSide) attach(name string) string {
	return x.base() + " attach-session -t " + shellQuote(name)
}

// serverPID asks the tmux server for its process ID.
func (x tmuxSide) serverPID() (int, error) {
	out, err := exec.Command(x.bin, "-S", x.socket, "display-message", "-p", "#{pid}").Output()
	if err != nil {
		return 0, fmt.Errorf("tmux server pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return 0, fmt.Errorf("tmux server pid: %w", err)
	}
	return pid, nil
}

// killServer ends the tmux server and every session in it.
func (x tmuxSide) killServer() {
	_ = exec.Command(x.bin, "-S", x.socket, "kill-server").Run()
}

// helperCommand is the shell command that runs the helper in mode.
func helperCommand(helper, mode string) string {
	return shellQuote(helper) + " helper " + shellQuote(mode)
}
