package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
)

const (
	tickInterval = 10 * time.Millisecond
	tickMode     = "tick-10"
)

// durability SIGKILLs a fresh warren while a session writes a timestamped
// line every tickInterval, then reads the valid history records on disk. The
// loss is the output warren had already sent to the client but not written
// to disk, in seconds of output. Trials kill at different points of the
// flush interval; the worst one is reported.
func (b *bench) durability() error {
	worst := math.NaN()
	for trial := range b.opts.KillTrials {
		lost, err := b.killTrial(trial, 2*time.Second+time.Duration(trial)*370*time.Millisecond)
		if err != nil {
			return fmt.Errorf("trial %d: %w", trial+1, err)
		}
		if math.IsNaN(worst) || lost > worst {
			worst = lost
		}
	}
	b.add(row{metric: "history lost on SIGKILL (worst)", unit: "s", warren: worst, tmux: nan(), plain: nan(), target: target{maxAbs: 1}})
	return nil
}

// killTrial runs one trial: stream for streamFor, SIGKILL, compare.
func (b *bench) killTrial(trial int, streamFor time.Duration) (float64, error) {
	sp := b.spec
	sp.tag = fmt.Sprintf("kill%d", trial+1)
	srv, err := startWarren(sp)
	if err != nil {
		return 0, err
	}
	defer srv.kill()
	ep := newEndpoint("warren", srv.addr, benchLogin, b.signer, srv.hostKey)
	t, err := open(ep, "attach "+tickMode)
	if err != nil {
		return 0, err
	}
	defer t.close()
	if err := t.waitFor([]byte("<<READY>>"), waitLong); err != nil {
		return 0, err
	}
	if err := t.send([]byte("g")); err != nil {
		return 0, err
	}
	// The timer's goroutine ends after the kill; readAll ends when the dead
	// server's connection closes.
	killer := time.AfterFunc(streamFor, srv.kill)
	defer killer.Stop()
	seen := parseTicks(t.readAll(streamFor + waitLong))
	if len(seen) == 0 {
		return 0, fmt.Errorf("no tick lines reached the client")
	}
	onDisk, err := historyPayload(srv.historyDir(tickMode))
	if err != nil {
		return 0, err
	}
	lines := tickLinesOnDisk(onDisk)
	lost := lostSeconds(seen, lines)
	last := len(seen) - 1
	b.note("SIGKILL trial %d after %v: client saw %d lines (%d B), disk holds %d B of records = %d lines; lost %.3f s",
		trial+1, streamFor, last+1, len(readyLine)+(last+1)*tickLineLen, onDisk, lines, lost)
	return lost, nil
}

var tickPattern = regexp.MustCompile(`T(\d{8}) (\d{12})`)

// parseTicks returns the helper's timestamps (µs since the trigger) of the
// tick lines in out, indexed by sequence number, up to the last line seen;
// lines missing in between (never expected) are -1.
func parseTicks(out []byte) []int64 {
	var ticks []int64
	for _, m := range tickPattern.FindAllSubmatch(out, -1) {
		seq, err1 := strconv.Atoi(string(m[1]))
		us, err2 := strconv.ParseInt(string(m[2]), 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		for len(ticks) <= seq {
			ticks = append(ticks, -1)
		}
		ticks[seq] = us
	}
	return ticks
}

// tickLinesOnDisk converts a session's history payload (the ready line, then
// fixed-size tick lines) into the number of whole tick lines it holds.
func tickLinesOnDisk(payload int64) int {
	return int(max(payload-int64(len(readyLine)), 0) / tickLineLen)
}

// lostSeconds is how much later the last line the client saw was written
// than the last line on disk; 0 when the disk holds everything seen.
func lostSeconds(seen []int64, linesOnDisk int) float64 {
	last := len(seen) - 1
	if linesOnDisk > last {
		return 0
	}
	var durable int64 // the trigger, when no line reached the disk
	if linesOnDisk > 0 {
		durable = seen[linesOnDisk-1]
		if durable < 0 { // not seen by the client: estimate from the rate
			durable = int64(linesOnDisk-1) * tickInterval.Microseconds()
		}
	}
	return float64(seen[last]-durable) / 1e6
}
