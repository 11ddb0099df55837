package main

import (
	"fmt"
	"time"
)

// reattach measures getting a busy screen back: a session wrote
// ReattachMiB of lines and its client vanished (TCP closed, no detach);
// a new login attaches and waits for the final marker. Both the time from
// the attach request (after authentication) and from the TCP dial are kept.
func (b *bench) reattach() error {
	n := int64(b.opts.ReattachMiB) * mib
	mode := fmt.Sprintf("flood-%d", n)
	eps := []endpoint{b.w, b.s}
	first := []string{"attach reat-" + mode, b.tmux.newSession("reat", mode)}
	again := []string{"attach reat-" + mode, b.tmux.attach("reat")}
	marker := []byte(endMarker(1))
	for side := range eps {
		t, err := open(eps[side], first[side])
		if err != nil {
			return err
		}
		err = t.waitFor([]byte("<<READY>>"), waitLong)
		if err == nil {
			err = t.send([]byte("g"))
		}
		if err == nil {
			err = t.waitFor(marker, 5*time.Minute)
		}
		t.close()
		if err != nil {
			return fmt.Errorf("%s: fill the session: %w", eps[side].name, err)
		}
	}
	var fromAttach, fromDial [2][]time.Duration
	err := interleave(b.opts.Reattaches, 2, func(_, side int) error {
		start := time.Now()
		t, err := dial(eps[side])
		if err != nil {
			return err
		}
		defer t.close()
		authed := time.Now()
		if err := t.start(again[side]); err != nil {
			return fmt.Errorf("%s: %w", eps[side].name, err)
		}
		if err := t.waitFor(marker, waitLong); err != nil {
			return fmt.Errorf("%s: %w", eps[side].name, err)
		}
		fromAttach[side] = append(fromAttach[side], time.Since(authed))
		fromDial[side] = append(fromDial[side], time.Since(start))
		return nil
	})
	if err != nil {
		return err
	}
	a0, a1 := millis(fromAttach[0]), millis(fromAttach[1])
	d0, d1 := millis(fromDial[0]), millis(fromDial[1])
	b.add(row{metric: "reattach p50 (attach→marker)", unit: "ms", warren: percentile(a0, 50), tmux: percentile(a1, 50), plain: nan(), target: target{maxRatio: 1, maxAbs: 50}})
	b.add(row{metric: "reattach p50 (dial→marker)", unit: "ms", warren: percentile(d0, 50), tmux: percentile(d1, 50), plain: nan()})
	return nil
}
