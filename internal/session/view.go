package session

import "github.com/warren-ssh/warren/internal/screen"

// Viewer is the part of a Screen that draws it for a terminal of another
// size. *screen.Screen satisfies it. With a Screen that lacks it every
// client gets the program's bytes, whatever its size.
type Viewer interface {
	// AppendView appends a frame that makes a terminal of cols x rows show
	// the screen clipped or padded to its size, as a diff against what v
	// says the terminal shows, and records the frame in v.
	AppendView(dst []byte, v *screen.View, cols, rows int) []byte
	// AppendViewAttach appends what a newly attached terminal of cols x
	// rows gets: the last n scrollback lines, then a full frame.
	AppendViewAttach(dst []byte, v *screen.View, n, cols, rows int) []byte
	// SetQueryFunc makes the screen pass each terminal query in the output
	// to fn, under the session lock; nil stops it.
	SetQueryFunc(fn func(q []byte))
}

// maxQueries bounds the queries waiting for a client in view mode; a
// program that floods queries loses the rest.
const maxQueries = 4 << 10

var _ Viewer = (*screen.Screen)(nil)

// viewerLocked returns the screen's Viewer when c's terminal is to be
// drawn from the screen model rather than sent the program's bytes: its
// size is known and is not the PTY's. session.mu is held.
func (s *session) viewerLocked(c *client) (Viewer, bool) {
	v, ok := s.screen.(Viewer)
	return v, ok && c.win.Valid() && c.win != s.window
}

// setModeLocked moves c between the program's bytes and frames of the
// screen model after its size or the PTY's changed. To frames: the next
// frame repaints the terminal whole. To bytes: the writer repaints it from
// the model under mu, as a resync does, and the program's bytes follow
// with no gap and no duplicate. session.mu is held.
func (s *session) setModeLocked(c *client) {
	_, want := s.viewerLocked(c)
	switch {
	case want && !c.viewing:
		c.viewing, c.fresh, c.dirty = true, true, true
		c.view.Reset()
		if c.stale {
			// The repaint it was owed is the first frame.
			c.stale = false
			c.pending = c.pending[:0]
		}
	case want:
		c.dirty = true // a new size of its own or of the screen
	case c.viewing:
		c.viewing, c.dirty = false, false
		c.stale = true
	default:
		return
	}
	c.notify()
}

// forwardQueryLocked is the screen's query func: a query from the program
// goes to the size owner's terminal, which answers it, as it does today
// for an owner sent the program's bytes. An owner in view mode is sent no
// bytes, so the query follows its next frame. session.mu is held.
func (s *session) forwardQueryLocked(q []byte) {
	c := s.owner
	if c == nil || !c.viewing || c.dead || len(c.queries)+len(q) > maxQueries {
		return
	}
	c.queries = append(c.queries, q...)
	c.notify()
}
