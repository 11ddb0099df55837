package main

import (
	"fmt"
	"time"
)

const mib = 1 << 20

// throughput measures how fast a burst of program output reaches an
// attached client: from the trigger byte to the end marker, in MiB of
// program output per second. warren flushes history as usual meanwhile;
// plain sshd running the same program on a PTY is the floor.
func (b *bench) throughput() error {
	n := int64(b.opts.FloodMiB) * mib
	mode := fmt.Sprintf("flood-%d", n)
	eps := []endpoint{b.w, b.s, b.s}
	cmds := []string{"attach tput-" + mode, b.tmux.newSession("tput", mode), helperCommand(b.tmux.helper, mode)}
	terms := make([]*term, len(eps))
	defer func() {
		for _, t := range terms {
			if t != nil {
				t.close()
			}
		}
	}()
	for side := range eps {
		t, err := open(eps[side], cmds[side])
		if err != nil {
			return err
		}
		terms[side] = t
		if err := t.waitFor([]byte("<<READY>>"), waitLong); err != nil {
			return fmt.Errorf("%s: %w", eps[side].name, err)
		}
	}
	rates := make([][]float64, len(eps))
	err := interleave(b.opts.FloodReps, len(eps), func(i, side int) error {
		start := time.Now()
		if err := terms[side].send([]byte("g")); err != nil {
			return err
		}
		if err := terms[side].waitFor([]byte(endMarker(i+1)), 10*time.Minute); err != nil {
			return fmt.Errorf("%s burst %d: %w", eps[side].name, i+1, err)
		}
		rates[side] = append(rates[side], float64(n)/mib/time.Since(start).Seconds())
		return nil
	})
	if err != nil {
		return err
	}
	b.add(row{metric: "throughput p50", unit: "MiB/s", warren: percentile(rates[0], 50), tmux: percentile(rates[1], 50), plain: percentile(rates[2], 50), target: target{minRatio: 1}})
	return nil
}
