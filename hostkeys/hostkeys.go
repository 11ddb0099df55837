package hostkeys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

// File names inside the host-key directory, as OpenSSH names them.
const (
	Ed25519File = "ssh_host_ed25519_key"
	RSAFile     = "ssh_host_rsa_key"
)

// RSABits is the size of generated RSA host keys; MinRSABits is the smallest
// existing RSA host key LoadOrCreate accepts.
const (
	RSABits    = 3072
	MinRSABits = 2048
)

// keyComment is written into generated keys and their .pub files.
const keyComment = "warren host key"

// maxKeyFile bounds how much of a key file is read; real keys are a few KiB.
const maxKeyFile = 64 << 10

// Key is one loaded host key.
type Key struct {
	Path        string     // the private key file
	Signer      ssh.Signer // signs with the host key
	Type        string     // the SSH key type: "ssh-ed25519" or "ssh-rsa"
	Fingerprint string     // "SHA256:..." as ssh-keygen -l prints it
}

// Options configures LoadOrCreateWith.
type Options struct {
	// Logger receives one record per generated key and one per loaded key.
	// Nil discards.
	Logger *slog.Logger
}

// spec describes one host key warren keeps.
type spec struct {
	file     string
	keyType  string
	generate func(io.Reader) (any, error)
}

// specs lists the host keys in the order LoadOrCreate returns them.
var specs = []spec{
	{file: Ed25519File, keyType: ssh.KeyAlgoED25519, generate: func(r io.Reader) (any, error) {
		_, priv, err := ed25519.GenerateKey(r)
		return priv, err
	}},
	{file: RSAFile, keyType: ssh.KeyAlgoRSA, generate: func(r io.Reader) (any, error) {
		return rsa.GenerateKey(r, RSABits)
	}},
}

// LoadOrCreate loads the host keys in dir, generating those that are missing,
// with default Options. See LoadOrCreateWith.
func LoadOrCreate(dir string) ([]Key, error) {
	return LoadOrCreateWith(dir, Options{})
}

// LoadOrCreateWith loads the host keys in dir: ed25519 first, then RSA. It
// creates dir with mode 0700 if it is missing and generates each missing key
// (with its .pub file), writing it atomically with mode 0600. Every existing
// key is checked and loaded before anything is generated, and nothing is
// generated when any check fails; an existing key is never rewritten.
func LoadOrCreateWith(dir string, opts Options) ([]Key, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "hostkeys")

	// Missing parents are made as mkdir -p makes them (0755 less the
	// umask): only the key directory itself is private, so a parent it
	// shares with the data directory stays passable for sessions.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("create host key directory: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create host key directory: %w", err)
	}
	keys, err := loadExisting(dir, log)
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		if k.Signer == nil {
			continue
		}
		if err := ensurePublic(dir, specs[i].file, k); err != nil {
			return nil, fmt.Errorf("write host key %s.pub: %w", k.Path, err)
		}
	}
	for i, k := range keys {
		if k.Signer != nil {
			continue
		}
		k, err := create(dir, specs[i])
		if err != nil {
			return nil, fmt.Errorf("generate host key %s: %w", filepath.Join(dir, specs[i].file), err)
		}
		log.Info("host key generated", "path", k.Path, "type", k.Type, "fingerprint", k.Fingerprint)
		keys[i] = k
	}
	return keys, nil
}

// Load loads the host keys dir holds, ed25519 first, and writes nothing:
// no directory, no key and no .pub file is created. A missing directory or
// key is no error (fewer keys are returned); everything LoadOrCreate would
// refuse, Load refuses too. It checks a directory before anything is made,
// and serves keys from a directory warren must not write into.
func Load(dir string) ([]Key, error) {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	keys, err := loadExisting(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	var out []Key
	for _, k := range keys {
		if k.Signer != nil {
			out = append(out, k)
		}
	}
	return out, nil
}

// HasKeys reports whether dir holds a file where a host key would be,
// whatever its state: a directory with one is no empty one to generate
// keys into.
func HasKeys(dir string) bool {
	for _, sp := range specs {
		if _, err := os.Lstat(filepath.Join(dir, sp.file)); err == nil {
			return true
		}
	}
	return false
}

// loadExisting checks dir and loads each key of specs that exists, with
// its .pub file checked; a missing key leaves its slot's Signer nil.
func loadExisting(dir string, log *slog.Logger) ([]Key, error) {
	if err := checkDir(dir); err != nil {
		return nil, fmt.Errorf("check host key directory %s: %w", dir, err)
	}
	keys := make([]Key, len(specs))
	for i, sp := range specs {
		path := filepath.Join(dir, sp.file)
		data, err := readPrivate(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load host key %s: %w", path, err)
		}
		k, err := parse(path, sp.keyType, data)
		if err != nil {
			return nil, fmt.Errorf("load host key %s: %w", path, err)
		}
		keys[i] = k
	}
	// Check the .pub files of existing keys before anything is generated,
	// so a refusal leaves the directory as it was.
	for _, k := range keys {
		if k.Signer == nil {
			continue
		}
		if err := checkPublic(k); err != nil {
			return nil, fmt.Errorf("load host key %s.pub: %w", k.Path, err)
		}
		log.Debug("host key loaded", "path", k.Path, "type", k.Type, "fingerprint", k.Fingerprint)
	}
	return keys, nil
}

// parse turns the bytes of a private key file into a Key of keyType.
func parse(path, keyType string, data []byte) (Key, error) {
	raw, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return Key{}, ErrEncrypted
		}
		return Key{}, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	if rk, ok := raw.(*rsa.PrivateKey); ok && rk.N.BitLen() < MinRSABits {
		return Key{}, fmt.Errorf("%w: RSA key has %d bits, need at least %d", ErrWrongType, rk.N.BitLen(), MinRSABits)
	}
	signer, err := ssh.NewSignerFromKey(raw)
	if err != nil {
		return Key{}, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	pub := signer.PublicKey()
	if pub.Type() != keyType {
		return Key{}, fmt.Errorf("%w: file holds %s, want %s", ErrWrongType, pub.Type(), keyType)
	}
	return Key{Path: path, Signer: signer, Type: pub.Type(), Fingerprint: ssh.FingerprintSHA256(pub)}, nil
}

// checkPublic verifies that an existing .pub file holds k's public key. A
// missing .pub file is fine: ensurePublic recreates it.
func checkPublic(k Key) error {
	path := k.Path + ".pub"
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w (mode %s)", ErrNotRegular, fi.Mode().Type())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPublicMismatch, err)
	}
	if !bytes.Equal(pub.Marshal(), k.Signer.PublicKey().Marshal()) {
		return fmt.Errorf("%w: .pub has %s", ErrPublicMismatch, ssh.FingerprintSHA256(pub))
	}
	return nil
}

// ensurePublic writes k's .pub file if it is missing.
func ensurePublic(dir, file string, k Key) error {
	_, err := os.Lstat(k.Path + ".pub")
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return writeAtomic(dir, file+".pub", authorizedLine(k.Signer.PublicKey()), 0o644)
}

// create generates the key sp describes and persists it with its .pub file.
func create(dir string, sp spec) (Key, error) {
	raw, err := sp.generate(rand.Reader)
	if err != nil {
		return Key{}, err
	}
	block, err := ssh.MarshalPrivateKey(raw, keyComment)
	if err != nil {
		return Key{}, fmt.Errorf("marshal private key: %w", err)
	}
	data := pem.EncodeToMemory(block)
	path := filepath.Join(dir, sp.file)
	// Parse what will be written, so a key is only persisted if it loads.
	k, err := parse(path, sp.keyType, data)
	if err != nil {
		return Key{}, fmt.Errorf("parse generated key: %w", err)
	}
	if err := writeAtomic(dir, sp.file, data, 0o600); err != nil {
		return Key{}, err
	}
	if err := writeAtomic(dir, sp.file+".pub", authorizedLine(k.Signer.PublicKey()), 0o644); err != nil {
		return Key{}, err
	}
	return k, nil
}

// authorizedLine renders pub as one authorized_keys line with keyComment.
func authorizedLine(pub ssh.PublicKey) []byte {
	line := bytes.TrimSuffix(ssh.MarshalAuthorizedKey(pub), []byte("\n"))
	return append(line, []byte(" "+keyComment+"\n")...)
}
