package auth

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// MaxKeys caps the keys accepted for one login; further keys are skipped.
const MaxKeys = 100

// MinRSABits is the smallest RSA modulus accepted.
const MinRSABits = 2048

// Key is one parsed, accepted public key.
type Key struct {
	PublicKey   ssh.PublicKey
	Fingerprint string // ssh.FingerprintSHA256, "SHA256:…"
	Comment     string
}

// Authorized returns the key in the normal authorized_keys form
// "type base64", without options or comment.
func (k Key) Authorized() string {
	return strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(k.PublicKey)), "\n")
}

// SkippedLine reports one line that was not accepted and why.
type SkippedLine struct {
	Line   int // 1-based
	Reason string
}

// Skip reasons, one per way a line can be refused.
const (
	reasonOptions       = "options prefix"
	reasonCertAuthority = "cert-authority"
	reasonCertificate   = "certificate"
	reasonDSA           = "DSA key"
	reasonUnknownType   = "unknown key type"
	reasonMissingBlob   = "missing key data"
	reasonBadBase64     = "invalid base64"
	reasonBadBlob       = "invalid key data"
	reasonTypeMismatch  = "key type does not match key data"
	reasonDuplicate     = "duplicate key"
	reasonTooMany       = "too many keys"
	reasonMissingLogin  = "missing login in comment field"
	reasonBadLogin      = "invalid login in comment field"
)

// acceptedTypes are the key types a user may authenticate with.
var acceptedTypes = map[string]bool{
	ssh.KeyAlgoRSA:        true,
	ssh.KeyAlgoECDSA256:   true,
	ssh.KeyAlgoECDSA384:   true,
	ssh.KeyAlgoECDSA521:   true,
	ssh.KeyAlgoED25519:    true,
	ssh.KeyAlgoSKECDSA256: true,
	ssh.KeyAlgoSKED25519:  true,
}

// ParseKeys parses authorized_keys-style text as served by GitHub's
// /LOGIN.keys: one key per line, "type base64 [comment]". Blank lines and
// '#' comments are ignored and CRLF line ends accepted. Any other line that
// is not an acceptable key is reported in the second result with a reason:
// option prefixes, cert-authority, certificates, DSA, RSA under 2048 bits,
// bad base64, a type that does not match the key data, unknown types.
// Duplicates (by fingerprint) and keys past MaxKeys are skipped too.
func ParseKeys(data []byte) ([]Key, []SkippedLine) {
	var (
		keys    []Key
		skipped []SkippedLine
		seen    = make(map[string]bool)
	)
	forEachLine(data, func(n int, line string) {
		k, reason := parseKeyLine(line)
		switch {
		case reason != "":
		case seen[k.Fingerprint]:
			reason = reasonDuplicate
		case len(keys) >= MaxKeys:
			reason = fmt.Sprintf("%s (limit %d)", reasonTooMany, MaxKeys)
		}
		if reason != "" {
			skipped = append(skipped, SkippedLine{Line: n, Reason: reason})
			return
		}
		seen[k.Fingerprint] = true
		keys = append(keys, k)
	})
	return keys, skipped
}

// ParseKeysFile parses a --keys-file: authorized_keys lines whose comment
// field is the GitHub login owning the key. Logins are normalised; lines
// with a missing or invalid login are skipped, as are lines ParseKeys would
// skip. Duplicates and the MaxKeys cap apply per login.
func ParseKeysFile(data []byte) (map[string][]Key, []SkippedLine) {
	var (
		out     = make(map[string][]Key)
		skipped []SkippedLine
		seen    = make(map[string]map[string]bool)
	)
	forEachLine(data, func(n int, line string) {
		k, reason := parseKeyLine(line)
		var login string
		if reason == "" {
			c := strings.Fields(k.Comment)
			switch {
			case len(c) == 0:
				reason = reasonMissingLogin
			case len(c) > 1:
				reason = reasonBadLogin
			default:
				l, err := NormalizeLogin(c[0])
				if err != nil {
					reason = reasonBadLogin
				}
				login = l
			}
		}
		if reason == "" {
			if seen[login] == nil {
				seen[login] = make(map[string]bool)
			}
			switch {
			case seen[login][k.Fingerprint]:
				reason = reasonDuplicate
			case len(out[login]) >= MaxKeys:
				reason = fmt.Sprintf("%s (limit %d)", reasonTooMany, MaxKeys)
			}
		}
		if reason != "" {
			skipped = append(skipped, SkippedLine{Line: n, Reason: reason})
			return
		}
		seen[login][k.Fingerprint] = true
		out[login] = append(out[login], k)
	})
	return out, skipped
}

// forEachLine calls fn with the 1-based number and trimmed text of every
// line that is neither blank nor a '#' comment.
func forEachLine(data []byte, fn func(n int, line string)) {
	for n := 1; len(data) > 0; n++ {
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		line := strings.TrimSpace(string(raw)) // also drops the CR of CRLF
		if line == "" || line[0] == '#' {
			continue
		}
		fn(n, line)
	}
}

// parseKeyLine parses one non-blank, non-comment line. It returns a non-empty
// reason when the line is refused.
func parseKeyLine(line string) (Key, string) {
	fields := strings.Fields(line)
	typ := fields[0]
	switch {
	case typ == "cert-authority":
		return Key{}, reasonCertAuthority
	case strings.Contains(typ, "-cert-v0"):
		return Key{}, reasonCertificate
	case typ == ssh.InsecureKeyAlgoDSA:
		return Key{}, reasonDSA
	case !acceptedTypes[typ]:
		// A key type further along means the line starts with options.
		for _, f := range fields[1:] {
			if acceptedTypes[f] || f == ssh.InsecureKeyAlgoDSA || strings.Contains(f, "-cert-v0") {
				return Key{}, reasonOptions
			}
		}
		if strings.ContainsAny(typ, "=,\"") {
			return Key{}, reasonOptions
		}
		return Key{}, reasonUnknownType
	case len(fields) < 2:
		return Key{}, reasonMissingBlob
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return Key{}, reasonBadBase64
	}
	pk, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return Key{}, reasonBadBlob
	}
	if pk.Type() != typ {
		return Key{}, reasonTypeMismatch
	}
	if typ == ssh.KeyAlgoRSA {
		bits := rsaBits(pk)
		if bits < MinRSABits {
			return Key{}, fmt.Sprintf("RSA key of %d bits (minimum %d)", bits, MinRSABits)
		}
	}
	return Key{
		PublicKey:   pk,
		Fingerprint: ssh.FingerprintSHA256(pk),
		Comment:     strings.Join(fields[2:], " "),
	}, ""
}

// rsaBits returns the modulus size of an RSA key, 0 if it is not one.
func rsaBits(pk ssh.PublicKey) int {
	cpk, ok := pk.(ssh.CryptoPublicKey)
	if !ok {
		return 0
	}
	rk, ok := cpk.CryptoPublicKey().(*rsa.PublicKey)
	if !ok {
		return 0
	}
	return rk.N.BitLen()
}
