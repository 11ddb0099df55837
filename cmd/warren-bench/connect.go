package main

import (
	"fmt"
	"time"
)

const waitLong = 60 * time.Second

// login opens one login on ep running command, waits for its first byte and
// returns the time from the TCP dial to that byte. The connection is dropped
// afterwards.
func login(ep endpoint, command string) (time.Duration, error) {
	start := time.Now()
	t, err := open(ep, command)
	if err != nil {
		return 0, err
	}
	defer t.close()
	if err := t.firstByte(waitLong); err != nil {
		return 0, fmt.Errorf("%s: %w", ep.name, err)
	}
	return time.Since(start), nil
}

// connect measures sequential logins that attach to an existing session:
// warren's "attach bench", and tmux new-session -A under sshd. One login of
// each creates the sessions first and is not counted.
func (b *bench) connect() error {
	cmds := []string{"attach bench", b.tmux.newSession("bench", "cat")}
	eps := []endpoint{b.w, b.s}
	for side := range eps {
		if _, err := login(eps[side], cmds[side]); err != nil {
			return fmt.Errorf("first login: %w", err)
		}
	}
	var got [2][]time.Duration
	err := interleave(b.opts.Connects, 2, func(_, side int) error {
		d, err := login(eps[side], cmds[side])
		got[side] = append(got[side], d)
		return err
	})
	if err != nil {
		return err
	}
	w, s := millis(got[0]), millis(got[1])
	for _, p := range []struct {
		name string
		p    float64
		t    target
	}{
		{"connect p50", 50, target{maxRatio: 1.5}},
		{"connect p90", 90, target{}},
		{"connect p99", 99, target{}},
	} {
		b.add(row{metric: p.name, unit: "ms", warren: percentile(w, p.p), tmux: percentile(s, p.p), plain: nan(), target: p.t})
	}
	return nil
}
