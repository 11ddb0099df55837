package server

import (
	"context"
	"errors"
	"testing"

	"github.com/warren-ssh/warren/internal/auth"
)

// valueCtx is a context with SetValue, as charm ssh's is.
type valueCtx struct {
	context.Context
	vals map[any]any
}

func (c *valueCtx) SetValue(k, v any) { c.vals[k] = v }
func (c *valueCtx) Value(k any) any {
	if v, ok := c.vals[k]; ok {
		return v
	}
	return c.Context.Value(k)
}

func TestActor(t *testing.T) {
	tests := []struct {
		name    string
		id      *auth.Identity
		want    string
		wantErr error
	}{
		{name: "verified admin", id: &auth.Identity{Login: "alice", Admin: true}, want: "alice"},
		{name: "no identity", wantErr: errNoActor},
		{name: "empty login", id: &auth.Identity{}, wantErr: errNoActor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := &valueCtx{Context: context.Background(), vals: map[any]any{}}
			if tt.id != nil {
				withIdentity(ctx, *tt.id)
			}
			got, err := actor(ctx)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestAdminActionsNeedAnActor: an admin action whose caller is unknown is
// refused before it does anything, so no admin event goes unattributed.
func TestAdminActionsNeedAnActor(t *testing.T) {
	a := adminService{s: &Server{}} // nothing to act on: any use would panic
	if _, err := a.Kick(context.Background(), "bob"); !errors.Is(err, errNoActor) {
		t.Errorf("Kick: got %v; want errNoActor", err)
	}
	for _, accept := range []bool{false, true} {
		if _, err := a.Refresh(context.Background(), "bob", accept); !errors.Is(err, errNoActor) {
			t.Errorf("Refresh(accept=%v): got %v; want errNoActor", accept, err)
		}
	}
}
