package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// bench is one benchmark run: both servers, the client endpoints for them,
// and the rows measured so far. Its methods run on the main goroutine.
type bench struct {
	opts   options
	dir    string
	spec   warrenSpec // how the main warren was started; durability starts more
	signer ssh.Signer
	warren *warrenServer
	sshd   *sshdServer
	tmux   tmuxSide
	w, s   endpoint // warren, and sshd as the current user
	rows   []row
	notes  []string
}

// runPhases runs the phases that share the main servers, in order, and
// reports whether any failed.
func (b *bench) runPhases(ctx context.Context) bool {
	failed := false
	for _, p := range []struct {
		name string
		run  func() error
	}{
		{"connect", b.connect},
		{"echo", b.echo},
		{"throughput", b.throughput},
		{"reattach", b.reattach},
		{"idle memory", b.idle},
	} {
		if ctx.Err() != nil {
			return true
		}
		failed = b.phase(p.name, p.run) || failed
	}
	return failed
}

// phase runs one phase, logs its duration or error, and reports failure.
func (b *bench) phase(name string, run func() error) bool {
	log.Printf("%s…", name)
	start := time.Now()
	if err := run(); err != nil {
		log.Printf("%s: %v", name, err)
		b.notes = append(b.notes, fmt.Sprintf("%s failed: %v", name, err))
		return true
	}
	log.Printf("%s done in %v", name, time.Since(start).Round(time.Millisecond))
	return false
}

func (b *bench) add(r row) { b.rows = append(b.rows, r) }

func (b *bench) note(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
}

// stopMain stops the main warren (sessions get SIGHUP) so that the
// durability phase has the machine to itself.
func (b *bench) stopMain() {
	if b.warren != nil {
		b.warren.stop(15 * time.Second)
		b.warren = nil
	}
}

// teardown stops everything the run started.
func (b *bench) teardown() {
	b.tmux.killServer()
	if b.sshd != nil {
		b.sshd.stop(5 * time.Second)
	}
	b.stopMain()
}

// interleave calls f for each side in turn, n times: A B A B …
func interleave(n int, sides int, f func(i, side int) error) error {
	for i := range n {
		for side := range sides {
			if err := f(i, side); err != nil {
				return err
			}
		}
	}
	return nil
}

func nan() float64 { return math.NaN() }

func tmuxVersion() string {
	out, err := exec.Command("tmux", "-V").Output()
	if err != nil {
		return ""
	}
	return "(" + strings.TrimSpace(string(out)) + ")"
}
