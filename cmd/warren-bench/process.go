package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"time"
)

// daemon is a server process the benchmark started and must stop.
type daemon struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been waited for
	err    error         // Wait's result, set before exited closes
}

// startDaemon starts cmd with its stdout and stderr copied to logPath, and
// returns the first submatches of ready in its output once a line matches.
// It fails if the process exits or timeout passes first.
func startDaemon(name string, cmd *exec.Cmd, logPath string, ready *regexp.Regexp, timeout time.Duration) (*daemon, []string, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, nil, fmt.Errorf("start %s: %w", name, err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, nil, fmt.Errorf("start %s: %w", name, err)
	}
	d := &daemon{name: name, cmd: cmd, exited: make(chan struct{})}
	// The waiter ends when the process exits; it closes the pipe, which ends
	// the log copier below.
	go func() {
		d.err = cmd.Wait()
		pw.Close()
		close(d.exited)
	}()
	found := make(chan []string, 1)
	// The log copier ends at the end of the process's output.
	go func() {
		defer logf.Close()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if m := ready.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m:
				default:
				}
			}
		}
		_, _ = io.Copy(logf, pr)
	}()
	select {
	case m := <-found:
		return d, m, nil
	case <-d.exited:
		return nil, nil, fmt.Errorf("start %s: exited before it was ready (%v); see %s", name, d.err, logPath)
	case <-time.After(timeout):
		d.stop(time.Second)
		return nil, nil, fmt.Errorf("start %s: not ready after %v; see %s", name, timeout, logPath)
	}
}

// stop sends SIGTERM, then SIGKILL after grace, and waits for the process.
func (d *daemon) stop(grace time.Duration) {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
		return
	case <-time.After(grace):
	}
	d.kill()
}

// kill sends SIGKILL to the process alone, as a crash would end it, and
// waits for it.
func (d *daemon) kill() {
	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
}

func (d *daemon) pid() int { return d.cmd.Process.Pid }
