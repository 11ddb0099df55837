package server

import (
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
// moment (the picker, an attached session) consumes input and resize from
// it; nothing else ever reads the channel, so no keystroke is lost between
// owners.
type channelTerminal struct {
	input  chan []byte         // closed when the client's input ends
	resize chan session.Window // latest size only, clamped
	done   chan struct{}       // closed by close
}

func newChannelTerminal(sess ssh.Session) *channelTerminal {
	t := &channelTerminal{
		input:  make(chan []byte, 4),
		resize: make(chan session.Window, 1),
		done:   make(chan struct{}),
	}
	// The reader ends at EOF or error on the channel (the client closed its
	// side or the connection dropped), or when close is called.
	go func() {
		defer close(t.input)
		for {
			buf := make([]byte, 4096)
			n, err := sess.Read(buf)
			if n > 0 {
				select {
				case t.input <- buf[:n]:
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

func (t *channelTerminal) close() { close(t.done) }

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
