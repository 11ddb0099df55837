package admission

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// readFromPeer has the client send a byte and c read it: the client spoke.
func readFromPeer(t *testing.T, c, client net.Conn) {
	t.Helper()
	go func() { _, _ = client.Write([]byte("S")) }() // ends once c reads it
	if _, err := c.Read(make([]byte, 1)); err != nil {
		t.Fatalf("read the client's byte: %v", err)
	}
}

func TestWrapConnOutcome(t *testing.T) {
	tests := []struct {
		name string
		do   func(t *testing.T, c, client net.Conn, tk *Ticket)
		want time.Duration // the source's penalty afterwards
	}{
		{
			name: "closed before the client sent a byte",
			do:   func(*testing.T, net.Conn, net.Conn, *Ticket) {},
			want: time.Second,
		},
		{
			name: "deadline passed before the client sent a byte",
			do:   func(t *testing.T, c, _ net.Conn, _ *Ticket) { expireRead(t, c) },
			want: time.Second, // silent, not grace-exceeded
		},
		{
			name: "spoke, then closed before authenticating",
			do:   func(t *testing.T, c, client net.Conn, _ *Ticket) { readFromPeer(t, c, client) },
			want: time.Second,
		},
		{
			name: "spoke, then the deadline passed",
			do: func(t *testing.T, c, client net.Conn, _ *Ticket) {
				readFromPeer(t, c, client)
				expireRead(t, c)
			},
			want: 10 * time.Second,
		},
		{
			name: "authentication failed",
			do:   func(_ *testing.T, _, _ net.Conn, tk *Ticket) { tk.AuthFailed() },
			want: 5 * time.Second,
		},
		{
			name: "handshake deadline passed",
			do: func(t *testing.T, c, _ net.Conn, tk *Ticket) {
				tk.AuthFailed()
				expireRead(t, c)
			},
			want: 10 * time.Second,
		},
		{
			name: "authenticated after a failure",
			do: func(_ *testing.T, _, _ net.Conn, tk *Ticket) {
				tk.AuthFailed()
				tk.Authenticated()
			},
			want: 0,
		},
		{
			name: "idle deadline after authentication",
			do: func(t *testing.T, c, _ net.Conn, tk *Ticket) {
				tk.Authenticated()
				expireRead(t, c)
			},
			want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			g := New(Options{Now: clk.Now, Rand: never, Penalties: Penalties{Min: -1}})
			server, client := net.Pipe()
			t.Cleanup(func() { _ = client.Close() })
			c, tk, err := g.WrapConn(server)
			if err != nil {
				t.Fatalf("WrapConn: %v", err)
			}
			tt.do(t, c, client, tk)
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			_ = c.Close() // idempotent
			if _, err := client.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
				t.Errorf("peer read after Close: got %v; want EOF", err)
			}
			if got := g.table.refusing(sourceOf(addrOf(server.RemoteAddr())), clk.Now()); got != tt.want {
				t.Errorf("penalty: got %v; want %v", got, tt.want)
			}
			if st := g.Stats(); st.Unauthenticated != 0 {
				t.Errorf("Unauthenticated: got %d; want 0", st.Unauthenticated)
			}
		})
	}
}

// expireRead makes a read on c fail with a deadline error, as charm ssh's
// HandshakeTimeout does.
func expireRead(t *testing.T, c net.Conn) {
	t.Helper()
	if err := c.SetReadDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read past the deadline succeeded")
	}
}

func TestWrapConnRefuses(t *testing.T) {
	g := New(Options{PerSource: 1, Rand: never})
	first, peer1 := net.Pipe()
	t.Cleanup(func() { _ = first.Close(); _ = peer1.Close() })
	c, _, err := g.WrapConn(first)
	if err != nil {
		t.Fatalf("first WrapConn: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	second, peer2 := net.Pipe()
	t.Cleanup(func() { _ = second.Close(); _ = peer2.Close() })
	c2, tk, err := g.WrapConn(second)
	if !errors.Is(err, ErrSourceBusy) || c2 != nil || tk != nil {
		t.Errorf("second WrapConn: got %v, %v, %v; want nil, nil, ErrSourceBusy", c2, tk, err)
	}
}
