package main

import (
	"fmt"
	"time"
)

// echo measures keystroke round trips through a raw-mode cat: warren, tmux
// under sshd, and sshd alone (the floor). Each probe is one byte, sent when
// the previous echo has arrived; every 64th probe is preceded by a carriage
// return so the line never wraps or scrolls.
func (b *bench) echo() error {
	sides := []struct {
		ep  endpoint
		cmd string
	}{
		{b.w, "attach echo"},
		{b.s, b.tmux.newSession("echo", "echo")},
		{b.s, helperCommand(b.tmux.helper, "echo")},
	}
	terms := make([]*term, len(sides))
	strip := make([]stripper, len(sides))
	defer func() {
		for _, t := range terms {
			if t != nil {
				t.close()
			}
		}
	}()
	for i, sd := range sides {
		t, err := open(sd.ep, sd.cmd)
		if err != nil {
			return err
		}
		terms[i] = t
		if err := t.waitFor([]byte("<<READY>>"), waitLong); err != nil {
			return fmt.Errorf("%s: %w", sd.ep.name, err)
		}
	}
	got := make([][]time.Duration, len(sides))
	err := interleave(b.opts.Echoes, len(sides), func(i, side int) error {
		c := byte('a' + i%26)
		msg := []byte{c}
		if i%64 == 63 {
			msg = []byte{'\r', c}
		}
		start := time.Now()
		if err := terms[side].send(msg); err != nil {
			return err
		}
		if err := terms[side].waitText(c, &strip[side], 10*time.Second); err != nil {
			return fmt.Errorf("probe %d: %w", i, err)
		}
		got[side] = append(got[side], time.Since(start))
		return nil
	})
	if err != nil {
		return err
	}
	w, s, p := millis(got[0]), millis(got[1]), millis(got[2])
	b.add(row{metric: "echo p50", unit: "ms", warren: percentile(w, 50), tmux: percentile(s, 50), plain: percentile(p, 50), target: target{maxRatio: 1}})
	b.add(row{metric: "echo p99", unit: "ms", warren: percentile(w, 99), tmux: percentile(s, 99), plain: percentile(p, 99), target: target{maxRatio: 1}})
	return nil
}
