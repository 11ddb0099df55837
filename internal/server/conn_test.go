package server

import (
	"net"
	"testing"
	"time"

	"github.com/warren-ssh/warren/internal/admission"
)

// TestConnOutcome: what a connection's end tells the admission penalties.
// A key that checked out but was refused by policy is not a failure.
func TestConnOutcome(t *testing.T) {
	tests := []struct {
		name string
		tc   *trackedConn
		want admission.Outcome
	}{
		{name: "never sent a byte", tc: &trackedConn{}, want: admission.OutcomeSilent},
		{name: "never sent a byte, grace time ran out", tc: &trackedConn{graceExceeded: true}, want: admission.OutcomeSilent},
		{name: "spoke, never tried", tc: &trackedConn{spoke: true}, want: admission.OutcomeNoAuth},
		{name: "spoke, then stalled", tc: &trackedConn{spoke: true, graceExceeded: true}, want: admission.OutcomeGraceExceeded},
		{name: "wrong key", tc: &trackedConn{authAttempted: true}, want: admission.OutcomeAuthFail},
		{name: "asked but never signed", tc: &trackedConn{authAttempted: true, lastAccepted: true}, want: admission.OutcomeAuthFail},
		{name: "grace time ran out", tc: &trackedConn{authAttempted: true, graceExceeded: true}, want: admission.OutcomeGraceExceeded},
		{name: "authenticated", tc: &trackedConn{authAttempted: true, authenticated: true}, want: admission.OutcomeOK},
		{name: "verified key over the connection cap", tc: &trackedConn{authAttempted: true, refusedFor: "too_many_connections"}, want: admission.OutcomeRefused},
		{name: "over the cap, then stalled", tc: &trackedConn{authAttempted: true, refusedFor: "too_many_connections", graceExceeded: true}, want: admission.OutcomeRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tc.outcome(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// TestConnReadNotes: reads tell a client that spoke from a silent one, and
// a deadline that passed before authentication from one after it.
func TestConnReadNotes(t *testing.T) {
	tests := []struct {
		name          string
		send          bool // the client sends a byte first
		authenticated bool
		want          admission.Outcome
	}{
		{name: "silent until the deadline", want: admission.OutcomeSilent},
		{name: "spoke, then the deadline", send: true, want: admission.OutcomeGraceExceeded},
		{name: "deadline after authentication", send: true, authenticated: true, want: admission.OutcomeOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, client := net.Pipe()
			t.Cleanup(func() { _ = server.Close(); _ = client.Close() })
			tc := &trackedConn{Conn: server, authenticated: tt.authenticated}
			if tt.send {
				go func() { _, _ = client.Write([]byte("S")) }() // ends once read
				if _, err := tc.Read(make([]byte, 1)); err != nil {
					t.Fatalf("read: %v", err)
				}
			}
			if err := tc.SetReadDeadline(time.Unix(1, 0)); err != nil {
				t.Fatal(err)
			}
			if _, err := tc.Read(make([]byte, 1)); err == nil {
				t.Fatal("read past the deadline succeeded")
			}
			if got := tc.outcome(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
