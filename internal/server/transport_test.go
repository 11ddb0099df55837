package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"sync/atomic"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMaxAuthTries: over the hardened transport, a client offering five
// keys the server does not know before the right one logs in, as it would
// with OpenSSH's default MaxAuthTries of 6; seven unknown keys are cut off
// after the sixth is refused.
func TestMaxAuthTries(t *testing.T) {
	host, right := newSigner(t), newSigner(t)
	tests := []struct {
		name       string
		wrong      int
		withRight  bool
		wantOK     bool
		wantOffers int32
	}{
		{name: "five others, then the right key", wrong: 5, withRight: true, wantOK: true, wantOffers: 6},
		{name: "the right key alone", wrong: 0, withRight: true, wantOK: true, wantOffers: 1},
		{name: "seven others", wrong: 7, wantOK: false, wantOffers: 6},
		{name: "six others, then the right key", wrong: 6, withRight: true, wantOK: false, wantOffers: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var offers atomic.Int32
			cfg := baseConfig()
			cfg.AddHostKey(host)
			cfg.PublicKeyCallback = func(_ gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
				offers.Add(1)
				if bytes.Equal(key.Marshal(), right.PublicKey().Marshal()) {
					return &gossh.Permissions{}, nil
				}
				return nil, errors.New("unknown key")
			}
			var signers []gossh.Signer
			for range tt.wrong {
				signers = append(signers, newSigner(t))
			}
			if tt.withRight {
				signers = append(signers, right)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ln.Close() })
			done := make(chan error, 1)
			// The server side ends when authentication succeeds or fails.
			go func() {
				sc, err := ln.Accept()
				if err != nil {
					done <- err
					return
				}
				defer sc.Close()
				conn, _, _, err := gossh.NewServerConn(sc, cfg)
				if err == nil {
					_ = conn.Close()
				}
				done <- err
			}()
			cc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cc.Close() })
			ccfg := &gossh.ClientConfig{
				User:            "alice",
				Auth:            []gossh.AuthMethod{gossh.PublicKeys(signers...)},
				HostKeyCallback: gossh.InsecureIgnoreHostKey(),
			}
			conn, _, _, err := gossh.NewClientConn(cc, ln.Addr().String(), ccfg)
			if conn != nil {
				_ = conn.Close()
			}
			serverErr := <-done
			if gotOK := err == nil && serverErr == nil; gotOK != tt.wantOK {
				t.Errorf("logged in: got %v (client %v, server %v); want %v", gotOK, err, serverErr, tt.wantOK)
			}
			if got := offers.Load(); got != tt.wantOffers {
				t.Errorf("keys the server looked at: got %d; want %d", got, tt.wantOffers)
			}
		})
	}
}
