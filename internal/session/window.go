package session

import "time"

// Window bounds. SSH carries sizes as uint32s; anything outside these bounds
// is clamped so that neither the PTY nor the screen model ever allocates in
// proportion to a hostile width × height.
const (
	MinCols = 20
	MaxCols = 1000
	MinRows = 5
	MaxRows = 500
)

// defaultWindow is used when nobody has told us a size.
var defaultWindow = Window{Cols: 80, Rows: 24}

// Window is a terminal size in cells. A zero dimension means "unknown": a
// Window with one is ignored wherever a size is applied.
type Window struct{ Cols, Rows int }

// Valid reports whether both dimensions are known.
func (w Window) Valid() bool { return w.Cols > 0 && w.Rows > 0 }

// Clamp turns the sizes of an SSH pty-req or window-change request into a
// Window: 0 stays 0 (unknown), anything else is clamped to
// [MinCols, MaxCols] × [MinRows, MaxRows].
func Clamp(cols, rows uint32) Window {
	return Window{Cols: clampDim(uint64(cols), MinCols, MaxCols), Rows: clampDim(uint64(rows), MinRows, MaxRows)}
}

// clampWindow applies Clamp to a Window built by someone else; negative
// dimensions are unknown.
func clampWindow(w Window) Window {
	c, r := w.Cols, w.Rows
	if c < 0 {
		c = 0
	}
	if r < 0 {
		r = 0
	}
	return Clamp(uint32(min(c, MaxCols+1)), uint32(min(r, MaxRows+1)))
}

func clampDim(v uint64, lo, hi int) int {
	switch {
	case v == 0:
		return 0
	case v < uint64(lo):
		return lo
	case v > uint64(hi):
		return hi
	}
	return int(v)
}

// requestResize applies the size the clients want: now, or, within
// ResizeDebounce of the last resize, once that interval has passed. A flood
// of window changes so costs one ioctl per interval and always ends on the
// latest size, with no goroutine per session waiting for it.
func (s *session) requestResize(r *run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.resizeTimer != nil {
		return // the pending resize applies the latest size when it fires
	}
	wait := time.Until(r.lastResize.Add(s.m.opts.ResizeDebounce))
	if wait <= 0 {
		s.applySizeLocked(r)
		return
	}
	r.resizeTimer = time.AfterFunc(wait, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		r.resizeTimer = nil
		s.applySizeLocked(r)
	})
}

// desiredLocked is the size the clients want under the size policy; an
// invalid Window means "keep the current size".
func (s *session) desiredLocked() Window {
	if s.m.opts.SizePolicy == SizeSmallest {
		var w Window
		for _, c := range s.clients {
			switch {
			case !c.win.Valid():
			case !w.Valid():
				w = c.win
			default:
				w = Window{Cols: min(w.Cols, c.win.Cols), Rows: min(w.Rows, c.win.Rows)}
			}
		}
		return w
	}
	if s.owner != nil {
		return s.owner.win
	}
	return Window{}
}

// applySizeLocked resizes the PTY and the screen to the wanted size unless
// it is unknown or unchanged.
func (s *session) applySizeLocked(r *run) {
	w := s.desiredLocked()
	if !w.Valid() || w == s.window || s.run != r || s.state != StateRunning {
		return
	}
	if err := setWinsize(r.ptmx, w); err != nil {
		s.log.Debug("resize pty", "err", err)
		return
	}
	s.screen.Resize(w.Cols, w.Rows)
	s.window = w
	r.lastResize = time.Now()
	for _, c := range s.clients {
		s.setModeLocked(c) // to view mode or back, or a new frame
	}
}
