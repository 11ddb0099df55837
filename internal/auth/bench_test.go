package auth

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// BenchmarkCheckKey compares the public-key callback's cost for the three
// answers a stranger can probe (SECURITY.md A4): an unknown login should
// cost about what a wrong key for a real login costs, so timing tells
// nothing about who is allowlisted.
func BenchmarkCheckKey(b *testing.B) {
	alice, other := newEd25519(b), newEd25519(b)
	st := newFakeStore()
	st.set("alice", time.Now(), alice)
	a, err := New(context.Background(), Options{Allow: []string{"alice"}, Store: st})
	if err != nil {
		b.Fatal(err)
	}
	if !a.CheckKey("alice", alice) {
		b.Fatal("alice's cached key refused")
	}
	for _, bc := range []struct {
		name, login string
		key         ssh.PublicKey
	}{
		{"right key", "alice", alice},
		{"wrong key", "alice", other},
		{"unknown login", "mallory", alice},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				a.CheckKey(bc.login, bc.key)
			}
		})
	}
}
