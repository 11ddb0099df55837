package server

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/warren-ssh/warren/internal/session"
)

func newTestTerminal() *channelTerminal {
	return &channelTerminal{input: make(chan []byte, 8), resize: make(chan session.Window, 1), done: make(chan struct{})}
}

func receive(t *testing.T, in <-chan []byte) string {
	t.Helper()
	select {
	case b, ok := <-in:
		if !ok {
			return "<closed>"
		}
		return string(b)
	case <-time.After(5 * time.Second):
		t.Fatal("no input delivered within 5s")
		return ""
	}
}

// No keystroke is lost between owners: what one lease did not take, and
// what it handed back with unread, the next lease gets first, in order.
func TestLeaseHandsInputToTheNextOwner(t *testing.T) {
	term := newTestTerminal()
	term.input <- []byte("a")
	term.input <- []byte("b")

	in, release := term.lease()
	if got := receive(t, in); got != "a" {
		t.Fatalf("first lease: got %q; want %q", got, "a")
	}
	release()
	term.unread([]byte("rest"))

	in, release = term.lease()
	// Chunks may be merged; the order may not change.
	var got string
	for len(got) < len("restb") {
		got += receive(t, in)
	}
	if got != "restb" {
		t.Errorf("second lease: got %q; want %q", got, "restb")
	}
	term.input <- []byte("c")
	if got := receive(t, in); got != "c" {
		t.Errorf("second lease, live input: got %q; want %q", got, "c")
	}
	release()
	// A released lease's channel is closed: a reader on it sees EOF.
	if _, ok := <-in; ok {
		t.Errorf("released lease still delivers")
	}
	// The end of the client's input closes the current lease.
	in, release = term.lease()
	defer release()
	close(term.input)
	if got := receive(t, in); got != "<closed>" {
		t.Errorf("after the input ended: got %q; want the lease closed", got)
	}
}

// An attached session takes the input channel itself: first what the
// picker's lease left, then live input; what it did not read stays for the
// picker that follows, and what it gives back comes first.
func TestTakeHandsInputBetweenPickerAndSession(t *testing.T) {
	term := newTestTerminal()
	term.input <- []byte("a")
	term.input <- []byte("b")
	in, release := term.lease()
	if got := receive(t, in); got != "a" {
		t.Fatalf("picker: got %q; want %q", got, "a")
	}
	release() // "b" may be held by the pump: it goes to the next owner
	typed, raw := term.take()
	got := string(typed)
	for len(got) < len("b") {
		got += receive(t, raw)
	}
	if got != "b" {
		t.Fatalf("session: got %q; want %q", got, "b")
	}
	term.input <- []byte("c")
	term.input <- []byte("d")
	if got := receive(t, raw); got != "c" {
		t.Fatalf("session, live input: got %q; want %q", got, "c")
	}
	term.unread([]byte("rest")) // after the detach key
	in, release = term.lease()
	defer release()
	got = ""
	for len(got) < len("restd") {
		got += receive(t, in)
	}
	if got != "restd" {
		t.Errorf("picker after the session: got %q; want %q", got, "restd")
	}
}

// The picker's reader returns EOF when its lease ends, so bubbletea's input
// goroutine ends with it instead of swallowing the next owner's keys.
func TestChanReaderEOFWhenLeaseEnds(t *testing.T) {
	term := newTestTerminal()
	term.input <- []byte("hello")
	in, release := term.lease()
	r := &chanReader{in: in}
	buf := make([]byte, 3)
	n, err := r.Read(buf)
	if err != nil || string(buf[:n]) != "hel" {
		t.Fatalf("Read: got %q, %v; want %q", buf[:n], err, "hel")
	}
	n, _ = r.Read(buf)
	if string(buf[:n]) != "lo" {
		t.Fatalf("Read: got %q; want %q", buf[:n], "lo")
	}
	done := make(chan error, 1)
	go func() { _, err := r.Read(buf); done <- err }()
	release()
	select {
	case err := <-done:
		if err != io.EOF {
			t.Errorf("Read after release: got %v; want EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still blocked after the lease ended")
	}
	term.input <- []byte("next")
	in2, release2 := term.lease()
	defer release2()
	if got := receive(t, in2); got != "next" {
		t.Errorf("next owner: got %q; want %q", got, "next")
	}
}

func TestCRLFWriter(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no newline", "abc", "abc"},
		{"newline", "a\nb\n", "a\r\nb\r\n"},
		{"escape sequences untouched", "\x1b[2J\x1b[H", "\x1b[2J\x1b[H"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			n, err := crlfWriter{&b}.Write([]byte(tt.in))
			if err != nil || n != len(tt.in) || b.String() != tt.want {
				t.Errorf("got %q (n=%d, %v); want %q (n=%d)", b.String(), n, err, tt.want, len(tt.in))
			}
		})
	}
}

func TestCleanTermAndPrintable(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"xterm-256color", "xterm-256color"},
		{"screen.xterm+256", "screen.xterm+256"},
		{"\x1b]0;pwn\x07", "xterm-256color"},
		{"../../etc", "xterm-256color"},
		{strings.Repeat("x", 65), "xterm-256color"},
	} {
		if got := cleanTerm(tt.in); got != tt.want {
			t.Errorf("cleanTerm(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := printable("al\x1b[31mice\n" + strings.Repeat("z", 100)); strings.ContainsAny(got, "\x1b\n") || len(got) > 64 {
		t.Errorf("printable left control bytes or length: %q", got)
	}
}

func TestClampUint32(t *testing.T) {
	for _, tt := range []struct {
		in   int
		want uint32
	}{{-1, 0}, {0, 0}, {80, 80}, {1 << 40, 1<<32 - 1}} {
		if got := clampUint32(tt.in); got != tt.want {
			t.Errorf("clampUint32(%d) = %d; want %d", tt.in, got, tt.want)
		}
	}
}
