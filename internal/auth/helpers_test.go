package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

// Keys are generated in the tests, never pasted. RSA keys are slow to
// generate, so each size is made once per test binary.

func newEd25519(t testing.TB) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return mustSSHKey(t, pub)
}

func newECDSA(t testing.TB, c elliptic.Curve) ssh.PublicKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return mustSSHKey(t, &priv.PublicKey)
}

var rsaKeys sync.Map // bits → *rsa.PrivateKey

func newRSA(t testing.TB, bits int) ssh.PublicKey {
	t.Helper()
	if k, ok := rsaKeys.Load(bits); ok {
		return mustSSHKey(t, &k.(*rsa.PrivateKey).PublicKey)
	}
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	rsaKeys.Store(bits, priv)
	return mustSSHKey(t, &priv.PublicKey)
}

func mustSSHKey(t testing.TB, pub any) ssh.PublicKey {
	t.Helper()
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// line returns pk as an authorized_keys line "type base64[ comment]".
func line(pk ssh.PublicKey, comment string) string {
	s := strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(pk)), "\n")
	if comment != "" {
		s += " " + comment
	}
	return s
}

// blob returns the base64 field of pk's authorized_keys line.
func blob(pk ssh.PublicKey) string {
	return strings.Fields(line(pk, ""))[1]
}
