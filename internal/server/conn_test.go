package server

import (
	"testing"

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
		{name: "never tried", tc: &trackedConn{}, want: admission.OutcomeNoAuth},
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
