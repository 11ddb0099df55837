package session

import (
	"io"

	"github.com/warren-ssh/warren/internal/screen"
)

// resyncPrefix precedes a resynchronising repaint. CAN aborts any escape
// sequence the client's terminal may be in the middle of, since the bytes
// dropped from its queue may have cut one in half.
const resyncPrefix = "\x18"

// viewEnd leaves a terminal that was sent frames with autowrap on, as a
// terminal sent the program's bytes would most likely be.
const viewEnd = "\x1b[?7h"

// client is one attached terminal's output side, written only by the
// client's own writer goroutine. A client of the PTY's size gets the
// program's bytes through a bounded queue filled by the PTY reader; one of
// another size is in view mode: output only marks it dirty, and its writer,
// when free, draws the screen model clipped or padded to its size
// (screen.View), so a slow one costs nothing and a fast one sees every
// change.
type client struct {
	out  io.Writer
	wake chan struct{} // capacity 1: there is something to write
	quit chan struct{} // closed by attach: finish and return
	done chan struct{} // closed when writeLoop returns

	// session.mu guards the following.
	win     Window // the client's size
	pending []byte // output not yet handed to the writer
	stale   bool   // the queue overflowed: the writer sends a repaint next
	dead    bool   // a write failed: drop everything
	drop    bool   // detaching from a dead connection: do not drain
	resyncs int    // how many times the queue overflowed

	viewing bool        // view mode: frames of the screen model, no bytes
	dirty   bool        // view mode: the screen changed since the last frame
	fresh   bool        // view mode: bytes came before; the next frame starts with CAN
	view    screen.View // view mode: what the terminal shows
	queries []byte      // view mode: the program's terminal queries, for the owner
}

func newClient(out io.Writer, win Window) *client {
	return &client{
		out:  out,
		win:  win,
		wake: make(chan struct{}, 1),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
}

func (c *client) notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// enqueueLocked copies p into the queue, or marks the client stale when
// that would exceed limit bytes; a stale client's queue is dropped and the
// writer repaints it from the screen model when it is free again. A client
// in view mode is only marked dirty. It never blocks. session.mu is held.
func (c *client) enqueueLocked(p []byte, limit int) {
	if c.dead {
		return
	}
	if c.viewing {
		c.dirty = true
		c.notify()
		return
	}
	if c.stale {
		return
	}
	if len(c.pending)+len(p) > limit {
		c.stale = true
		c.resyncs++
		c.pending = c.pending[:0]
	} else {
		c.pending = append(c.pending, p...)
	}
	c.notify()
}

// writeLoop is the client's only writer: it swaps the queue for its spare
// buffer under mu and writes outside it, so a blocked Output stalls nobody
// else. It ends when c.quit is closed and the queue is drained (or, with
// drop set, abandoned); Attach waits for it so that the caller can use
// Output again.
func (s *session) writeLoop(c *client) {
	mu := &s.mu
	defer close(c.done)
	var spare []byte
	for {
		quitting := false
		select {
		case <-c.wake:
		case <-c.quit:
			quitting = true
		}
		for {
			mu.Lock()
			var buf []byte
			switch {
			case c.dead || c.drop:
				c.pending = c.pending[:0]
			case c.stale:
				// Taken under mu: the repaint shows exactly the output
				// enqueued before it, and everything after it follows.
				// What is queued (left from view mode) goes first.
				buf = append(spare[:0], c.pending...)
				buf = append(buf, resyncPrefix...)
				buf = s.screen.AppendRepaint(buf)
				buf = append(buf, c.queries...)
				c.stale = false
				c.pending, c.queries = c.pending[:0], c.queries[:0]
			case len(c.pending) > 0:
				// Swap only a non-empty queue: swapping an empty one would
				// leave pending and spare sharing one array.
				buf, c.pending = c.pending, spare[:0]
			case c.viewing && (c.dirty || len(c.queries) > 0):
				// The latest state, whatever changed since the last frame,
				// then the queries: a cursor position report answers for
				// the cursor the frame shows.
				buf = spare[:0]
				if c.fresh {
					buf = append(buf, resyncPrefix...)
					c.fresh = false
				}
				if v, ok := s.screen.(Viewer); ok && c.dirty {
					buf = v.AppendView(buf, &c.view, c.win.Cols, c.win.Rows)
				}
				buf = append(buf, c.queries...)
				c.dirty, c.queries = false, c.queries[:0]
			case quitting && c.viewing:
				buf = append(spare[:0], viewEnd...)
				c.viewing = false
			}
			mu.Unlock()
			if len(buf) == 0 {
				break
			}
			if _, err := c.out.Write(buf); err != nil {
				mu.Lock()
				c.dead = true
				mu.Unlock()
			}
			spare = buf[:0]
		}
		if quitting {
			return
		}
	}
}
