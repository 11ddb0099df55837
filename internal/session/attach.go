package session

import (
	"context"
	"time"

	"github.com/warren-ssh/warren/internal/screen"
)

// detachWait is how long a lone detach key at the end of a chunk waits for a
// second one (which sends the key through) before it detaches.
const detachWait = 250 * time.Millisecond

// attach registers a client with r: under mu it resizes the PTY for the
// newcomer, queues scrollback and a repaint (a view frame for a client that
// does not get the PTY's size), and joins the fan-out, so that output
// follows the repaint with no gap and no duplicate. It serves the
// client until it detaches, disconnects, or the program ends, and returns
// after the client's writer has finished with Output.
func (s *session) attach(ctx context.Context, r *run, c Client) Result {
	o := &s.m.opts
	cl := newClient(c.Output, clampWindow(c.Window))
	s.mu.Lock()
	if s.run != r || s.state != StateRunning {
		s.mu.Unlock()
		<-r.done
		// The program ended before this client joined (a start that failed
		// at once): it still sees what the program showed and why it ended.
		s.mu.Lock()
		var last []byte
		if s.run == r && s.screen != nil {
			if v, ok := s.viewerLocked(cl); ok {
				var view screen.View
				last = v.AppendViewAttach(nil, &view, o.AttachScrollback, cl.win.Cols, cl.win.Rows)
			} else {
				last = s.screen.AppendAttach(nil, o.AttachScrollback)
			}
		}
		s.mu.Unlock()
		if len(last) > 0 {
			_, _ = c.Output.Write(last)
		}
		return s.endResult(r)
	}
	if len(s.clients) == 0 {
		s.screen.SetReplyFunc(nil) // a terminal answers queries now
		if v, ok := s.screen.(Viewer); ok {
			v.SetQueryFunc(s.forwardQueryLocked) // even one sent frames
		}
	}
	s.clients = append(s.clients, cl)
	s.owner = cl
	s.applySizeLocked(r)
	if v, ok := s.viewerLocked(cl); ok {
		// Of another size than the PTY: drawn from the screen model.
		cl.viewing = true
		cl.pending = v.AppendViewAttach(cl.pending, &cl.view, o.AttachScrollback, cl.win.Cols, cl.win.Rows)
	} else {
		cl.pending = s.screen.AppendAttach(cl.pending, o.AttachScrollback)
	}
	n, id := len(s.clients), s.id
	s.lastActivity = time.Now()
	s.mu.Unlock()
	cl.notify()
	// The writer ends when cl.quit is closed below; we wait for it.
	go s.writeLoop(cl)
	s.log.Info("client attached", "id", id, "clients", n)
	s.m.emit(Event{Kind: EventAttached, Login: s.login, Workspace: s.workspace, ID: id, PID: r.pid, Clients: n, Time: time.Now()})

	res := s.serve(ctx, r, cl, c)

	s.mu.Lock()
	removed := s.removeLocked(cl)
	if res.Reason == Disconnected {
		cl.drop = true // nobody reads this Output any more
	}
	if res.Reason == Detached && !cl.viewing && s.screen != nil {
		// The terminal shows the main screen once the program's alternate
		// one is left: below its last row with anything on it.
		res.FreeRow = contentRows(s.screen) + 1
	}
	if removed && len(s.clients) == 0 && s.run == r && s.state == StateRunning {
		s.screen.SetReplyFunc(r.reply) // nobody is attached: the model answers
	}
	n = len(s.clients)
	s.mu.Unlock()
	if removed {
		s.requestResize(r) // the size owner may have changed
	}
	close(cl.quit)
	<-cl.done
	if res.Reason == Detached || res.Reason == Disconnected {
		select {
		case <-r.done: // the history was flushed and closed
		default:
			if r.hist != nil {
				if err := r.hist.Flush(); err != nil {
					s.log.Warn("flush history", "err", err)
				}
			}
		}
	}
	// cl.done is closed: its writer has ended, nothing else touches resyncs.
	s.log.Info("client left", "id", id, "clients", n, "reason", res.Reason.String(), "resyncs", cl.resyncs)
	s.m.emit(Event{Kind: EventDetached, Login: s.login, Workspace: s.workspace, ID: id, PID: r.pid, Clients: n, Reason: res.Reason, ExitCode: res.ExitCode, Time: time.Now()})
	return res
}

// serve is the attach loop: input to the PTY (after the detach key and the
// reply filter), window changes to the coalescer, until the client leaves or
// the program ends.
func (s *session) serve(ctx context.Context, r *run, cl *client, c Client) Result {
	key := s.m.opts.DetachKey
	press, release := keyEncodings(key)
	var (
		pending bool
		filt    filterState
		timer   *time.Timer
		timerC  <-chan time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	// handle passes one chunk of typed input on, watching for the detach
	// key; done reports that the attach ends with res.
	handle := func(p []byte) (res Result, done bool) {
		if timer != nil {
			timer.Stop()
			timerC = nil
		}
		ks := splitDetach(plainKey(p, key, press, release), key, pending)
		pending = ks.pending
		if len(ks.send) > 0 {
			// On false the program ended or ctx is done; the next
			// iteration sees which.
			s.input(ctx, r, cl, ks.send, &filt)
		}
		if ks.detach {
			return Result{Reason: Detached, Rest: ks.rest}, true
		}
		if pending {
			timer = time.NewTimer(detachWait)
			timerC = timer.C
		}
		return Result{}, false
	}
	if len(c.Typed) > 0 {
		if res, done := handle(c.Typed); done {
			return res
		}
	}
	resize := c.Resize
	for {
		select {
		case p, ok := <-c.Input:
			if !ok {
				return Result{Reason: Disconnected}
			}
			if res, done := handle(p); done {
				return res
			}
		case <-timerC:
			return Result{Reason: Detached}
		case w, ok := <-resize:
			if !ok {
				resize = nil
				continue
			}
			if w = clampWindow(w); !w.Valid() {
				continue
			}
			s.mu.Lock()
			cl.win = w
			s.setModeLocked(cl) // until the PTY follows, if it does
			s.mu.Unlock()
			s.requestResize(r)
		case <-ctx.Done():
			return Result{Reason: Disconnected}
		case <-r.done:
			return s.endResult(r)
		}
	}
}

// input sends a client's bytes to the program. A client that does not own
// the session has its terminal replies dropped; if anything is left, it
// typed, and becomes the owner.
func (s *session) input(ctx context.Context, r *run, cl *client, p []byte, filt *filterState) bool {
	s.mu.Lock()
	owner := s.owner == cl
	s.mu.Unlock()
	if !owner {
		p, *filt = dropReplies(p, *filt)
		if len(p) == 0 {
			return true
		}
	}
	s.mu.Lock()
	changed := false
	if s.owner != cl && s.run == r && s.hasLocked(cl) {
		s.owner, changed = cl, true
	}
	s.lastActivity = time.Now()
	s.mu.Unlock()
	if changed {
		*filt = filterState{}
		s.requestResize(r)
	}
	return r.sendInput(ctx, p)
}

// endResult is the Result for clients of r once r has ended.
func (s *session) endResult(r *run) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.stopping {
		return Result{Reason: Stopped, ExitCode: r.code}
	}
	return Result{Reason: Exited, ExitCode: r.code}
}

func (s *session) hasLocked(cl *client) bool {
	for _, c := range s.clients {
		if c == cl {
			return true
		}
	}
	return false
}

// removeLocked drops cl from the clients; if it owned the session, the most
// recently attached remaining client takes over.
func (s *session) removeLocked(cl *client) bool {
	for i, c := range s.clients {
		if c != cl {
			continue
		}
		s.clients = append(s.clients[:i], s.clients[i+1:]...)
		if s.owner == cl {
			s.owner = nil
			if len(s.clients) > 0 {
				s.owner = s.clients[len(s.clients)-1]
			}
		}
		return true
	}
	return false
}
