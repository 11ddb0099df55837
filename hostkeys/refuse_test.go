package hostkeys

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestRefusesBadKeyFiles(t *testing.T) {
	ed := func(dir string) string { return filepath.Join(dir, Ed25519File) }
	rsaPath := func(dir string) string { return filepath.Join(dir, RSAFile) }
	tests := []struct {
		name     string
		files    []string                       // seed files to start from; nil means all
		setup    func(t *testing.T, dir string) // breaks something
		path     func(dir string) string        // the file the error must name
		wantErr  error                          // the sentinel
		wantText string                         // more the message must say
		skip     func() string                  // non-empty: reason to skip
	}{
		{
			name:    "corrupt key",
			setup:   func(t *testing.T, dir string) { writeFile(t, ed(dir), []byte("not a key\n"), 0o600) },
			path:    ed,
			wantErr: ErrInvalidKey,
		},
		{
			name: "truncated key",
			setup: func(t *testing.T, dir string) {
				data := seedFiles[RSAFile]
				writeFile(t, rsaPath(dir), data[:len(data)/2], 0o600)
			},
			path:    rsaPath,
			wantErr: ErrInvalidKey,
		},
		{
			name:    "public key in the private key file",
			setup:   func(t *testing.T, dir string) { writeFile(t, ed(dir), seedFiles[Ed25519File+".pub"], 0o600) },
			path:    ed,
			wantErr: ErrInvalidKey,
		},
		{
			name:    "corrupt key while the other is missing",
			files:   []string{Ed25519File},
			setup:   func(t *testing.T, dir string) { writeFile(t, ed(dir), []byte("garbage"), 0o600) },
			path:    ed,
			wantErr: ErrInvalidKey,
		},
		{
			name: "encrypted key",
			setup: func(t *testing.T, dir string) {
				_, priv, err := ed25519.GenerateKey(rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte("secret"))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, ed(dir), pem.EncodeToMemory(block), 0o600)
			},
			path:    ed,
			wantErr: ErrEncrypted,
		},
		{
			name:     "world-readable key",
			setup:    func(t *testing.T, dir string) { chmod(t, ed(dir), 0o644) },
			path:     ed,
			wantErr:  ErrUnprotected,
			wantText: "0644",
		},
		{
			name:     "group-readable key",
			setup:    func(t *testing.T, dir string) { chmod(t, rsaPath(dir), 0o640) },
			path:     rsaPath,
			wantErr:  ErrUnprotected,
			wantText: "0640",
		},
		{
			// Root can read a 0000 file, so the mode itself is refused.
			name:     "unreadable key",
			setup:    func(t *testing.T, dir string) { chmod(t, ed(dir), 0) },
			path:     ed,
			wantErr:  ErrUnprotected,
			wantText: "0000",
		},
		{
			name: "symlinked key",
			setup: func(t *testing.T, dir string) {
				target := filepath.Join(t.TempDir(), "real_key")
				writeFile(t, target, seedFiles[Ed25519File], 0o600)
				if err := os.Remove(ed(dir)); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, ed(dir)); err != nil {
					t.Fatal(err)
				}
			},
			path:     ed,
			wantErr:  ErrSymlink,
			wantText: "symlink",
		},
		{
			name: "directory in place of the key",
			setup: func(t *testing.T, dir string) {
				if err := os.Remove(rsaPath(dir)); err != nil {
					t.Fatal(err)
				}
				if err := os.Mkdir(rsaPath(dir), 0o700); err != nil {
					t.Fatal(err)
				}
			},
			path:    rsaPath,
			wantErr: ErrNotRegular,
		},
		{
			name:     "rsa key in the ed25519 file",
			setup:    func(t *testing.T, dir string) { writeFile(t, ed(dir), seedFiles[RSAFile], 0o600) },
			path:     ed,
			wantErr:  ErrWrongType,
			wantText: "ssh-rsa",
		},
		{
			name: "short rsa key",
			setup: func(t *testing.T, dir string) {
				k, err := rsa.GenerateKey(rand.Reader, 1024)
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, rsaPath(dir), marshalPEM(t, k), 0o600)
			},
			path:     rsaPath,
			wantErr:  ErrWrongType,
			wantText: "1024 bits",
		},
		{
			name:    "pub file of another key",
			setup:   func(t *testing.T, dir string) { writeFile(t, ed(dir)+".pub", seedFiles[RSAFile+".pub"], 0o644) },
			path:    func(dir string) string { return ed(dir) + ".pub" },
			wantErr: ErrPublicMismatch,
		},
		{
			name:     "world-writable directory",
			setup:    func(t *testing.T, dir string) { chmod(t, dir, 0o777) },
			path:     func(dir string) string { return dir },
			wantErr:  ErrInsecureDir,
			wantText: "0777",
		},
		{
			name:    "group-writable directory",
			files:   []string{},
			setup:   func(t *testing.T, dir string) { chmod(t, dir, 0o770) },
			path:    func(dir string) string { return dir },
			wantErr: ErrInsecureDir,
		},
		{
			name: "key owned by another user",
			setup: func(t *testing.T, dir string) {
				if err := os.Lchown(ed(dir), 12345, 12345); err != nil {
					t.Fatal(err)
				}
			},
			path:     ed,
			wantErr:  ErrOwner,
			wantText: "uid 12345",
			skip: func() string {
				if os.Geteuid() != 0 {
					return "chown to another uid needs root"
				}
				return ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip != nil {
				if reason := tt.skip(); reason != "" {
					t.Skip(reason)
				}
			}
			var dir string
			if tt.files == nil {
				dir = seededDir(t)
			} else {
				dir = seededDir(t, tt.files...)
			}
			tt.setup(t, dir)
			before := snapshot(t, dir)

			keys, err := LoadOrCreate(dir)
			if err == nil {
				t.Fatalf("LoadOrCreate returned %d keys; want an error", len(keys))
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error: got %q; want %q", err, tt.wantErr)
			}
			for _, want := range []string{tt.path(dir), tt.wantText} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error: got %q; want it to contain %q", err, want)
				}
			}
			// Load, which writes nothing, refuses the same.
			if keys, err := Load(dir); !errors.Is(err, tt.wantErr) {
				t.Errorf("Load: got %d keys, error %v; want %q", len(keys), err, tt.wantErr)
			}
			// Refusing must leave every file exactly as it was: nothing
			// regenerated, nothing "repaired".
			sameSnapshot(t, snapshot(t, dir), before)
		})
	}
}

// FuzzParse feeds arbitrary bytes to the key parser: it must never panic, and
// whatever it accepts must be a key of the requested type.
func FuzzParse(f *testing.F) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pem.EncodeToMemory(block))
	f.Add([]byte("-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := parse("fuzz", ssh.KeyAlgoED25519, data)
		if err != nil {
			return
		}
		if k.Type != ssh.KeyAlgoED25519 || k.Signer == nil {
			t.Errorf("accepted key type: got %q; want %q", k.Type, ssh.KeyAlgoED25519)
		}
	})
}
