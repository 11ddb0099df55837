package server

import (
	"bytes"
	"regexp"
	"sync"

	"charm.land/ssh"

	"github.com/warren-ssh/warren/internal/session"
)

// terminals records each session channel's pty-req. warren never lets charm
// ssh allocate or emulate a PTY for the connection (an emulated PTY rewrites
// "\n" to "\r\n" in everything written, which would corrupt a session's raw
// output); sessions get their PTY from internal/session instead.
type terminals struct {
	// mu guards the following.
	mu sync.Mutex
	m  map[ssh.Session]ssh.Pty
}

func newTerminals() *terminals { return &terminals{m: map[ssh.Session]ssh.Pty{}} }

// record is the server's PtyHandler. The returned closer runs when the
// channel's requests end.
func (t *terminals) record(_ ssh.Context, s ssh.Session, p ssh.Pty) (func() error, error) {
	t.mu.Lock()
	t.m[s] = p
	t.mu.Unlock()
	return func() error {
		t.mu.Lock()
		delete(t.m, s)
		t.mu.Unlock()
		return nil
	}, nil
}

// lookup returns the pty-req of s, if the client asked for a terminal.
func (t *terminals) lookup(s ssh.Session) (ssh.Pty, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.m[s]
	return p, ok
}

var termPattern = regexp.MustCompile(`^[A-Za-z0-9.+_-]{1,64}$`)

// cleanTerm validates a client's TERM; hostile values become xterm-256color.
func cleanTerm(term string) string {
	if termPattern.MatchString(term) {
		return term
	}
	return "xterm-256color"
}

// channelTerminal is the single reader of one session channel and the
// single drain of its window changes. Whoever owns the terminal at the
// moment (the picker, an attached session) leases its input; nothing else
// ever reads the channel, and bytes the last owner did not take are handed
// to the next, so no keystroke is lost between owners.
type channelTerminal struct {
	input  chan []byte         // closed when the client's input ends
	resize chan session.Window // latest size only, clamped
	done   chan struct{}       // closed by close

	// pending holds input for the next lease. Only the current lease's pump
	// touches it, and leases never overlap.
	pending []byte

	// mu guards the following.
	mu     sync.Mutex
	latest session.Window // the client's current size
}

// newChannelTerminal starts the channel's reader; typed, if not nil, is
// told the size of every chunk the client sends.
func newChannelTerminal(sess ssh.Session, win session.Window, typed func(n int)) *channelTerminal {
	t := &channelTerminal{
		input:  make(chan []byte, 4),
		resize: make(chan session.Window, 1),
		done:   make(chan struct{}),
		latest: win,
	}
	// The reader ends at EOF or error on the channel (the client closed its
	// side or the connection dropped), or when close is called. It reads
	// into one buffer and hands on a copy of what it read: a keystroke is
	// a byte or a few, and a fresh 4 KiB buffer for each was most of the
	// server's garbage while typing.
	go func() {
		defer close(t.input)
		buf := make([]byte, 4096)
		for {
			n, err := sess.Read(buf)
			if n > 0 {
				if typed != nil {
					typed(n)
				}
				select {
				case t.input <- bytes.Clone(buf[:n]):
				case <-t.done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	// charm ssh feeds window changes through a one-slot channel with a
	// blocking send, so it is drained for the whole life of the channel
	// (it is closed when the channel's requests end); only the latest size
	// is kept for the current owner.
	if _, winch, _ := sess.Pty(); winch != nil {
		go func() {
			for sw := range winch {
				w := session.Clamp(clampUint32(sw.Width), clampUint32(sw.Height))
				if !w.Valid() {
					continue
				}
				t.mu.Lock()
				t.latest = w
				t.mu.Unlock()
				select {
				case t.resize <- w:
				default:
					select {
					case <-t.resize:
					default:
					}
					t.resize <- w
				}
			}
		}()
	}
	return t
}

// lease hands the terminal's input to one owner that reads it from a
// goroutine of its own (the picker's input reader): first what the previous
// owner left, then what the client types. The returned channel is closed
// when the client's input ends or release is called; release returns once
// the pump has stopped, keeping an undelivered chunk for the next lease.
func (t *channelTerminal) lease() (in <-chan []byte, release func()) {
	out := make(chan []byte)
	stop := make(chan struct{})
	stopped := make(chan struct{})
	// The pump ends when release is called or the input ends.
	go func() {
		defer close(stopped)
		defer close(out)
		for {
			chunk := t.pending
			t.pending = nil
			if chunk == nil {
				select {
				case c, ok := <-t.input:
					if !ok {
						return
					}
					chunk = c
				case <-stop:
					return
				}
			}
			select {
			case out <- chunk:
			case <-stop:
				t.pending = chunk
				return
			}
		}
	}()
	var once bool
	return out, func() {
		if !once {
			once = true
			close(stop)
			<-stopped
		}
	}
}

// take hands the terminal's input to an owner that reads it only while it
// runs and returns (an attached session): what the previous owner left, and
// the channel itself, with no pump in between, so a keystroke takes one
// goroutine hop fewer. What the owner does not read stays in the channel
// for the next one; give back what it read but did not use with unread.
func (t *channelTerminal) take() (typed []byte, in <-chan []byte) {
	typed, t.pending = t.pending, nil
	return typed, t.input
}

// unread gives p back, to be read first by the next lease. Call it only
// between leases.
func (t *channelTerminal) unread(p []byte) {
	if len(p) > 0 {
		t.pending = append(append([]byte(nil), p...), t.pending...)
	}
}

func (t *channelTerminal) close() { close(t.done) }

// size is the client's current window size.
func (t *channelTerminal) size() session.Window {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.latest
}

// clampUint32 turns charm ssh's int window dimension (parsed from a uint32)
// back into a uint32 for session.Clamp; negative values mean unknown.
func clampUint32(v int) uint32 {
	if v < 0 {
		return 0
	}
	if v > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(v)
}
