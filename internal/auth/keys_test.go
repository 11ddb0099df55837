package auth

import (
	"bytes"
	//lint:ignore SA1019 DSA keys must be recognised to be refused.
	"crypto/dsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestParseKeysSingleLine(t *testing.T) {
	ed := newEd25519(t)
	rsa3072 := newRSA(t, 3072)
	rsa1024 := newRSA(t, 1024)
	dsaKey := mustSSHKey(t, &dsa.PublicKey{
		Parameters: dsa.Parameters{P: big.NewInt(23), Q: big.NewInt(11), G: big.NewInt(4)},
		Y:          big.NewInt(8),
	})
	cert := newCert(t, ed)
	edBlob := blob(ed)

	tests := []struct {
		name    string
		in      string
		want    string // accepted key's fingerprint; "" when skipped
		comment string
		reason  string // expected skip reason (prefix)
	}{
		{name: "ed25519", in: line(ed, ""), want: ssh.FingerprintSHA256(ed)},
		{name: "ed25519 with comment", in: line(ed, "alice@laptop  2024"), want: ssh.FingerprintSHA256(ed), comment: "alice@laptop 2024"},
		{name: "ecdsa p256", in: line(newECDSA(t, elliptic.P256()), "")},
		{name: "ecdsa p384", in: line(newECDSA(t, elliptic.P384()), "")},
		{name: "ecdsa p521", in: line(newECDSA(t, elliptic.P521()), "")},
		{name: "rsa 3072", in: line(rsa3072, ""), want: ssh.FingerprintSHA256(rsa3072)},
		{name: "leading and trailing spaces", in: "  " + line(ed, "") + " \t", want: ssh.FingerprintSHA256(ed)},
		{name: "rsa 1024", in: line(rsa1024, ""), reason: "RSA key of 1024 bits"},
		{name: "options prefix word", in: "no-pty " + line(ed, ""), reason: reasonOptions},
		{name: "options prefix command", in: `command="echo hi" ` + line(ed, ""), reason: reasonOptions},
		{name: "options prefix list", in: `restrict,from="10.0.0.0/8" ` + line(ed, ""), reason: reasonOptions},
		{name: "cert-authority", in: "cert-authority " + line(ed, ""), reason: reasonCertAuthority},
		{name: "certificate", in: line(cert, ""), reason: reasonCertificate},
		{name: "DSA", in: line(dsaKey, ""), reason: reasonDSA},
		{name: "truncated base64", in: "ssh-ed25519 " + edBlob[:len(edBlob)-3], reason: reasonBadBase64},
		{name: "truncated blob", in: "ssh-ed25519 " + edBlob[:40], reason: reasonBadBlob},
		{name: "not base64", in: "ssh-ed25519 !!!!", reason: reasonBadBase64},
		{name: "type mismatch", in: "ssh-rsa " + edBlob, reason: reasonTypeMismatch},
		{name: "ecdsa curve mismatch", in: "ecdsa-sha2-nistp384 " + blob(newECDSA(t, elliptic.P256())), reason: reasonTypeMismatch},
		{name: "unknown type", in: "ssh-foo " + edBlob, reason: reasonUnknownType},
		{name: "signature algorithm as type", in: "rsa-sha2-256 " + blob(rsa3072), reason: reasonUnknownType},
		{name: "type only", in: "ssh-ed25519", reason: reasonMissingBlob},
		{name: "HTML", in: "<html><body>Sign in</body></html>", reason: reasonUnknownType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, skipped := ParseKeys([]byte(tt.in))
			if tt.reason != "" {
				if len(keys) != 0 || len(skipped) != 1 {
					t.Fatalf("got %d keys, %d skipped; want 0 keys, 1 skipped", len(keys), len(skipped))
				}
				if !strings.HasPrefix(skipped[0].Reason, tt.reason) {
					t.Errorf("got reason %q; want %q", skipped[0].Reason, tt.reason)
				}
				if skipped[0].Line != 1 {
					t.Errorf("got line %d; want 1", skipped[0].Line)
				}
				return
			}
			if len(keys) != 1 || len(skipped) != 0 {
				t.Fatalf("got %d keys, skipped %v; want 1 key", len(keys), skipped)
			}
			k := keys[0]
			if tt.want != "" && k.Fingerprint != tt.want {
				t.Errorf("got fingerprint %q; want %q", k.Fingerprint, tt.want)
			}
			if k.Fingerprint != ssh.FingerprintSHA256(k.PublicKey) {
				t.Errorf("got fingerprint %q; want the key's %q", k.Fingerprint, ssh.FingerprintSHA256(k.PublicKey))
			}
			if k.Comment != tt.comment {
				t.Errorf("got comment %q; want %q", k.Comment, tt.comment)
			}
			if want := strings.Join(strings.Fields(tt.in)[:2], " "); k.Authorized() != want {
				t.Errorf("got Authorized() %q; want %q", k.Authorized(), want)
			}
		})
	}
}

// newCert returns an OpenSSH certificate for pub, signed by a fresh CA.
func newCert(t *testing.T, pub ssh.PublicKey) *ssh.Certificate {
	t.Helper()
	_, caPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(caPriv)
	if err != nil {
		t.Fatal(err)
	}
	cert := &ssh.Certificate{Key: pub, CertType: ssh.UserCert, ValidPrincipals: []string{"alice"}, ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, signer); err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestParseKeysFileLayout(t *testing.T) {
	a, b, c := newEd25519(t), newEd25519(t), newECDSA(t, elliptic.P256())
	in := strings.Join([]string{
		"# GitHub keys",          // 1
		"",                       // 2
		line(a, "") + "\r",       // 3 CRLF
		"   ",                    // 4
		line(b, "second") + "\r", // 5
		line(a, "again"),         // 6 duplicate of 1
		"ssh-ed25519 AAAA",       // 7 bad
		"\t# indented comment",   // 8
		line(c, ""),              // 9 no trailing newline
	}, "\n")
	keys, skipped := ParseKeys([]byte(in))
	var got []string
	for _, k := range keys {
		got = append(got, k.Fingerprint)
	}
	want := []string{ssh.FingerprintSHA256(a), ssh.FingerprintSHA256(b), ssh.FingerprintSHA256(c)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got keys %q; want %q", got, want)
	}
	if keys[1].Comment != "second" {
		t.Errorf("got comment %q; want %q (CR stripped)", keys[1].Comment, "second")
	}
	wantSkipped := []SkippedLine{{Line: 6, Reason: reasonDuplicate}, {Line: 7, Reason: reasonBadBlob}}
	if fmt.Sprint(skipped) != fmt.Sprint(wantSkipped) {
		t.Errorf("got skipped %v; want %v", skipped, wantSkipped)
	}
}

func TestParseKeysCap(t *testing.T) {
	var buf bytes.Buffer
	for range MaxKeys + 5 {
		fmt.Fprintln(&buf, line(newEd25519(t), ""))
	}
	keys, skipped := ParseKeys(buf.Bytes())
	if len(keys) != MaxKeys {
		t.Errorf("got %d keys; want %d", len(keys), MaxKeys)
	}
	if len(skipped) != 5 {
		t.Fatalf("got %d skipped; want 5", len(skipped))
	}
	for i, s := range skipped {
		if want := MaxKeys + 1 + i; s.Line != want || !strings.HasPrefix(s.Reason, reasonTooMany) {
			t.Errorf("got skipped %+v; want line %d, reason %q", s, want, reasonTooMany)
		}
	}
}

func TestParseKeysFile(t *testing.T) {
	a, b, shared := newEd25519(t), newEd25519(t), newEd25519(t)
	in := strings.Join([]string{
		line(a, "alice"),               // 1
		line(b, "Bob") + "\r",          // 2: normalised
		line(shared, "alice"),          // 3
		line(shared, "bob"),            // 4: another login may list it too
		line(a, "alice"),               // 5: duplicate for alice
		line(b, ""),                    // 6: no login
		line(b, "not/a/login"),         // 7
		line(b, "bob extra"),           // 8: a comment is not a login
		"no-pty " + line(b, "bob"),     // 9: options
		line(newRSA(t, 1024), "carol"), // 10: weak key
	}, "\n")
	got, skipped := ParseKeysFile([]byte(in))
	fps := func(keys []Key) string {
		var s []string
		for _, k := range keys {
			s = append(s, k.Fingerprint)
		}
		return strings.Join(s, ",")
	}
	tests := []struct {
		name  string
		login string
		want  []ssh.PublicKey
	}{
		{name: "alice", login: "alice", want: []ssh.PublicKey{a, shared}},
		{name: "bob normalised", login: "bob", want: []ssh.PublicKey{b, shared}},
		{name: "carol has no usable key", login: "carol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, k := range tt.want {
				want = append(want, ssh.FingerprintSHA256(k))
			}
			if g, w := fps(got[tt.login]), strings.Join(want, ","); g != w {
				t.Errorf("got %q; want %q", g, w)
			}
		})
	}
	if len(got) != 2 {
		t.Errorf("got %d logins; want 2", len(got))
	}
	wantSkipped := []SkippedLine{
		{5, reasonDuplicate}, {6, reasonMissingLogin}, {7, reasonBadLogin},
		{8, reasonBadLogin}, {9, reasonOptions}, {10, "RSA key of 1024 bits (minimum 2048)"},
	}
	if fmt.Sprint(skipped) != fmt.Sprint(wantSkipped) {
		t.Errorf("got skipped %v; want %v", skipped, wantSkipped)
	}
}

func FuzzParseKeys(f *testing.F) {
	var seed bytes.Buffer
	for _, pk := range []ssh.PublicKey{newEd25519(f), newECDSA(f, elliptic.P256()), newRSA(f, 2048)} {
		fmt.Fprintln(&seed, line(pk, "c"))
	}
	f.Add(seed.Bytes())
	f.Add([]byte("# c\r\n\r\nssh-ed25519 AAAA\nno-pty ssh-rsa AAAA x\ncert-authority ssh-ed25519 AAAA\n"))
	f.Add([]byte("ssh-ed25519 " + base64.StdEncoding.EncodeToString([]byte("\x00\x00\x00\x0bssh-ed25519"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, skipped := ParseKeys(data)
		if len(keys) > MaxKeys {
			t.Fatalf("got %d keys; want at most %d", len(keys), MaxKeys)
		}
		lines := 0
		forEachLine(data, func(int, string) { lines++ })
		if len(keys)+len(skipped) != lines {
			t.Fatalf("%d keys + %d skipped != %d lines", len(keys), len(skipped), lines)
		}
		seen := map[string]bool{}
		for _, k := range keys {
			if seen[k.Fingerprint] {
				t.Fatalf("duplicate key %s", k.Fingerprint)
			}
			seen[k.Fingerprint] = true
			again, sk := ParseKeys([]byte(k.Authorized()))
			if len(again) != 1 || len(sk) != 0 || again[0].Fingerprint != k.Fingerprint {
				t.Fatalf("Authorized() %q does not round-trip", k.Authorized())
			}
		}
		for _, s := range skipped {
			if s.Line < 1 || s.Reason == "" {
				t.Fatalf("bad skipped line %+v", s)
			}
		}
		byLogin, _ := ParseKeysFile(data)
		for login, keys := range byLogin {
			if _, err := NormalizeLogin(login); err != nil || len(keys) == 0 || len(keys) > MaxKeys {
				t.Fatalf("ParseKeysFile gave login %q with %d keys", login, len(keys))
			}
		}
	})
}
