package main

import (
	"fmt"
	"sync"
)

// idleWorkers is how many logins are opened at once: below both servers'
// pre-authentication limits (warren: 10 per source; sshd: MaxStartups).
const idleWorkers = 8

// idle measures the resident memory one more attached, idle session costs
// the server process: warren's own RSS, and the tmux server's (sshd's
// per-connection processes and tmux clients are not counted).
func (b *bench) idle() error {
	tmuxPID, err := b.tmux.serverPID()
	if err != nil {
		return err
	}
	n := b.opts.Idle
	w, err := idleSide(b.w, b.warren.pid(), n, func(i int) string { return fmt.Sprintf("attach idle-%d", i) })
	if err != nil {
		return err
	}
	s, err := idleSide(b.s, tmuxPID, n, func(i int) string { return b.tmux.newSession(fmt.Sprintf("idle-%d", i), "cat") })
	if err != nil {
		return err
	}
	b.add(row{metric: fmt.Sprintf("idle RSS per session (%d)", n), unit: "KiB", warren: w, tmux: s, plain: nan(), target: target{maxAbs: 256}})
	return nil
}

// idleSide opens n logins to ep at once, each attached to its own new
// session, and returns the growth of process pid's RSS per session while all
// are attached. The logins are dropped before it returns.
func idleSide(ep endpoint, pid, n int, command func(i int) string) (float64, error) {
	before, err := rssKiB(pid)
	if err != nil {
		return 0, err
	}
	terms := make([]*term, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	// Each worker ends when next is closed.
	for range idleWorkers {
		wg.Go(func() {
			for i := range next {
				t, err := open(ep, command(i))
				if err == nil {
					terms[i] = t
					err = t.firstByte(waitLong)
				}
				errs[i] = err
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	after, rerr := rssKiB(pid)
	for _, t := range terms {
		if t != nil {
			t.close()
		}
	}
	if err := firstError(errs); err != nil {
		return 0, fmt.Errorf("%s: %w", ep.name, err)
	}
	if rerr != nil {
		return 0, rerr
	}
	return float64(after-before) / float64(n), nil
}

// firstError returns the first of errs that is not nil, saying how many
// failed in all.
func firstError(errs []error) error {
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	if first == nil {
		return nil
	}
	return fmt.Errorf("%d of %d failed, the first: %w", failed, len(errs), first)
}
