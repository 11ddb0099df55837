package server

import (
	"context"

	"github.com/warren-ssh/warren/internal/auth"
)

// identityKey is the unexported context key of the verified identity.
type identityKey struct{}

// withIdentity stores the verified identity in a connection's context.
func withIdentity(ctx interface{ SetValue(k, v any) }, id auth.Identity) {
	ctx.SetValue(identityKey{}, id)
}

// IdentityFromContext returns the identity verified for the connection at
// session start: the owner of the key that completed authentication.
func IdentityFromContext(ctx context.Context) (auth.Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(auth.Identity)
	return id, ok
}
