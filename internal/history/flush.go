package history

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Flush appends the pending bytes to the current segment as framed records
// and fdatasyncs them. It is safe to call concurrently with Write and with
// itself (flushes are serialised). On error the bytes not made durable stay
// pending for the next try; the file is cut back to its last whole record, so
// bytes flushed earlier are never truncated or rewritten. The first failure
// of a streak is logged as a warning and the first success after it as info.
func (r *Ring) Flush() error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	return r.flushLocked()
}

func (r *Ring) flushLocked() error {
	if r.shut {
		return ErrClosed
	}
	r.mu.Lock()
	target, idle := r.end, r.end == r.diskEnd
	r.mu.Unlock()
	if idle {
		return nil
	}
	var err error
	wrote := false
	if r.opts.OnFlush != nil {
		started := time.Now()
		defer func() { r.opts.OnFlush(time.Since(started), err) }()
	}
	for {
		more, n, rerr := r.flushRun(target)
		wrote = wrote || n > 0
		if rerr != nil {
			err = fmt.Errorf("flush history: %w", rerr)
			break
		}
		if !more {
			break
		}
	}
	r.finishFlush(err, wrote)
	return err
}

// flushRun appends one contiguous run of pending bytes, up to target, to
// one segment and syncs it. more reports that bytes up to target remain
// (the segment is full, or Write overran the run).
func (r *Ring) flushRun(target int64) (more bool, n int64, err error) {
	r.mu.Lock()
	idle := r.diskEnd >= target
	r.mu.Unlock()
	if idle {
		return false, 0, nil
	}
	if err := r.prepareSegment(); err != nil {
		return false, 0, err
	}
	seg := &r.segs[len(r.segs)-1]
	good := seg.size
	var start, next int64
	for first := true; ; first = false {
		room := r.opts.SegmentBytes - seg.size - headerLen
		if room <= 0 {
			more = true
			break
		}
		r.mu.Lock()
		if first {
			start, next = r.diskEnd, r.diskEnd
		}
		if r.diskEnd > next { // Write overran this run: restart at the new start
			r.mu.Unlock()
			more = true
			break
		}
		c := min(target-next, int64(r.maxPayload), room)
		if c <= 0 {
			r.mu.Unlock()
			break
		}
		if int64(cap(r.scratch)) < headerLen+c {
			// Sized to what flushes carry, up to one whole record.
			r.scratch = make([]byte, min(max(headerLen+c, int64(2*cap(r.scratch))), int64(headerLen+r.maxPayload)))
		}
		rec := r.scratch[:headerLen+c]
		r.copyOut(rec[headerLen:], next)
		r.mu.Unlock()
		putHeader(rec, rec[headerLen:])
		if err = r.appendRecord(seg, rec); err != nil {
			break
		}
		next += c
	}
	if next == start {
		return false, 0, err
	}
	if serr := r.cur.Sync(); serr != nil {
		r.cutBack(seg, good)
		return false, 0, errors.Join(err, fmt.Errorf("sync segment: %w", serr))
	}
	r.commit(start, next)
	r.enforceCap()
	return more && err == nil, next - start, err
}

// appendRecord writes one framed record. On failure it cuts the file back
// to the record's start, so the segment never ends in a torn record that
// later records would follow.
func (r *Ring) appendRecord(seg *segment, rec []byte) error {
	n, err := r.cur.Write(rec)
	if err == nil && n < len(rec) {
		err = io.ErrShortWrite
	}
	if err != nil {
		r.cutBack(seg, seg.size)
		return fmt.Errorf("append record: %w", err)
	}
	seg.size += int64(n)
	r.diskTotal += int64(n)
	return nil
}

// cutBack truncates the current segment to size, the end of a whole record.
// If that fails the segment is abandoned: the next flush starts a new one,
// and the torn tail is cut when the directory is next opened.
func (r *Ring) cutBack(seg *segment, size int64) {
	r.diskTotal -= seg.size - size
	seg.size = size
	if err := r.cur.Truncate(size); err != nil {
		r.curBroken = true
		r.log.Warn("history segment abandoned after failed truncate",
			"segment", segName(seg.seq), "offset", size, "err", err)
	}
}

// prepareSegment makes r.cur an append handle on a segment with room for a
// record, opening the last segment or creating a new one.
func (r *Ring) prepareSegment() error {
	fsys, dir := r.opts.fs, r.opts.Dir
	last := len(r.segs) - 1
	full := last < 0 || r.opts.SegmentBytes-r.segs[last].size-headerLen <= 0
	if r.cur != nil && !r.curBroken && !full {
		return r.syncDirIfDirty()
	}
	if r.cur == nil && !full {
		f, err := fsys.OpenFile(filepath.Join(dir, segName(r.segs[last].seq)), os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("open segment: %w", err)
		}
		r.cur, r.curBroken = f, false
		return r.syncDirIfDirty()
	}
	if r.cur != nil {
		if err := r.cur.Close(); err != nil {
			r.log.Warn("history segment close failed", "segment", segName(r.segs[last].seq), "err", err)
		}
		r.cur, r.curBroken = nil, false
	}
	seq := uint64(1)
	if last >= 0 {
		seq = r.segs[last].seq + 1
	}
	f, err := fsys.OpenFile(filepath.Join(dir, segName(seq)), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	r.cur = f
	r.segs = append(r.segs, segment{seq: seq})
	r.dirDirty = true
	r.enforceCap()
	return r.syncDirIfDirty()
}

func (r *Ring) syncDirIfDirty() error {
	if !r.dirDirty {
		return nil
	}
	if err := r.opts.fs.SyncDir(r.opts.Dir); err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	r.dirDirty = false
	return nil
}

// enforceCap deletes the oldest segments while the total exceeds DiskBytes.
// The last segment, the one appended to, is never deleted.
func (r *Ring) enforceCap() {
	for r.diskTotal > r.opts.DiskBytes && len(r.segs) > 1 {
		old := r.segs[0]
		err := r.opts.fs.Remove(filepath.Join(r.opts.Dir, segName(old.seq)))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			r.log.Warn("history segment not removed", "segment", segName(old.seq), "err", err)
			return
		}
		r.diskTotal -= old.size
		r.segs = r.segs[1:]
		r.dirDirty = true
	}
}

// commit records that stream bytes [start, next) are durable.
func (r *Ring) commit(start, next int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.diskEnd > start {
		// Write counted bytes from start on as dropped while we wrote them.
		r.dropped -= min(r.diskEnd, next) - start
	}
	r.diskEnd = max(r.diskEnd, next)
	r.flushed += next - start
}

// finishFlush updates the stats and logs the edges of a failure streak.
func (r *Ring) finishFlush(err error, wrote bool) {
	r.syncDirIfDirty() // best effort after removals; retried on the next flush
	r.mu.Lock()
	pending := r.end - r.diskEnd
	r.mu.Unlock()
	// The change of streak is logged before the stats show it, so that
	// whoever sees the stats recover also finds the log line.
	switch {
	case err != nil && !r.failing:
		r.failing = true
		r.log.Warn("history flush failing; output kept in memory until it succeeds",
			"pending", pending, "err", err)
	case err == nil && r.failing:
		r.failing = false
		r.log.Info("history flush recovered", "pending", pending)
	}
	r.mu.Lock()
	if wrote {
		r.lastAt = r.opts.Now()
	}
	r.lastErr = err
	if err != nil {
		r.errs++
	}
	r.diskSum = r.diskTotal
	r.mu.Unlock()
}

// Run flushes every FlushInterval while bytes are pending, backing off
// exponentially (up to 30 s) while flushes fail; Write keeps working the
// whole time. With nothing pending it sleeps until output arrives, and the
// first flush comes at most FlushInterval after it. The caller runs it in a
// goroutine it owns and waits for it: Run returns when ctx is done, after a
// final Flush, or when the Ring is closed.
func (r *Ring) Run(ctx context.Context) {
	base := r.opts.FlushInterval
	delay := base
	t := time.NewTimer(delay)
	defer t.Stop()
	idle := false
	for {
		tick := t.C
		if idle {
			tick = nil
		}
		select {
		case <-ctx.Done():
			r.Flush() // a failure is logged by finishFlush and kept in Stats
			return
		case <-r.dirty:
			if idle {
				idle = false
				t.Reset(delay)
			}
			continue
		case <-tick:
		case <-r.kick:
			// Half the ring is waiting for the disk: flush now, unless the
			// disk is failing and Run is backing off.
			if delay > base {
				continue
			}
			if !idle && !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
			idle = false
		}
		pending, closed := r.pendingState()
		if closed {
			return
		}
		if pending == 0 {
			// Nothing to do until Write says otherwise (dirty).
			idle = true
			continue
		}
		err := r.Flush()
		if errors.Is(err, ErrClosed) {
			return
		}
		delay = nextDelay(delay, base, err != nil)
		t.Reset(delay)
	}
}

// nextDelay is Run's backoff: base after a success, doubling after each
// failure up to max(maxBackoff, base).
func nextDelay(cur, base time.Duration, failed bool) time.Duration {
	if !failed {
		return base
	}
	return min(max(2*cur, base), max(maxBackoff, base))
}

func (r *Ring) pendingState() (pending int64, closed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.end - r.diskEnd, r.closed
}
