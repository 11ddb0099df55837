package server

import (
	"fmt"

	gossh "golang.org/x/crypto/ssh"
)

// serverVersion is sent as SSH-2.0-warren.
const serverVersion = "warren"

// maxAuthTries closes a connection after this many failed attempts:
// OpenSSH's MaxAuthTries default. A client offers every key of its agent
// in turn, and each one that is not the login's is a failure, so a lower
// number locks out teammates whose agents hold a few other keys first.
// Guessing is bounded by the admission penalties, not by this number.
const maxAuthTries = 6

// Algorithm lists, after Mozilla's Modern OpenSSH guideline and ssh-audit:
// no NIST curves for key exchange, no SHA-1 anywhere, only AEAD or CTR
// ciphers and only encrypt-then-MAC SHA-2 MACs.
var (
	kexAlgorithms = []string{
		gossh.KeyExchangeMLKEM768X25519,
		gossh.KeyExchangeCurve25519,
	}
	cipherAlgorithms = []string{
		gossh.CipherChaCha20Poly1305,
		gossh.CipherAES256GCM,
		gossh.CipherAES128GCM,
		gossh.CipherAES256CTR,
		gossh.CipherAES192CTR,
		gossh.CipherAES128CTR,
	}
	macAlgorithms = []string{
		gossh.HMACSHA256ETM,
		gossh.HMACSHA512ETM,
	}
	// userKeyAlgorithms leaves out ssh-rsa (SHA-1 signatures) and ssh-dss.
	userKeyAlgorithms = []string{
		gossh.KeyAlgoED25519,
		gossh.KeyAlgoSKED25519,
		gossh.KeyAlgoECDSA256,
		gossh.KeyAlgoECDSA384,
		gossh.KeyAlgoECDSA521,
		gossh.KeyAlgoSKECDSA256,
		gossh.KeyAlgoRSASHA512,
		gossh.KeyAlgoRSASHA256,
	}
)

// hostSigner restricts an RSA host key to SHA-2 signatures so that the
// server never offers ssh-rsa (SHA-1) as a host key algorithm.
func hostSigner(s gossh.Signer) (gossh.Signer, error) {
	if s.PublicKey().Type() != gossh.KeyAlgoRSA {
		return s, nil
	}
	as, ok := s.(gossh.AlgorithmSigner)
	if !ok {
		return nil, fmt.Errorf("host key: RSA signer cannot choose its algorithm")
	}
	ms, err := gossh.NewSignerWithAlgorithms(as, []string{gossh.KeyAlgoRSASHA512, gossh.KeyAlgoRSASHA256})
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	return ms, nil
}

// baseConfig is the hardened part of every connection's ServerConfig. The
// charm ssh server adds the host keys and the public-key callback.
func baseConfig() *gossh.ServerConfig {
	return &gossh.ServerConfig{
		Config: gossh.Config{
			KeyExchanges: kexAlgorithms,
			Ciphers:      cipherAlgorithms,
			MACs:         macAlgorithms,
		},
		MaxAuthTries:            maxAuthTries,
		PublicKeyAuthAlgorithms: userKeyAlgorithms,
	}
}
