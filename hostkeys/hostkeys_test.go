package hostkeys

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

// seed holds one generated key set, made once: RSA-3072 generation is slow
// under -race, and most tests only need valid keys to start from.
var (
	seedOnce  sync.Once
	seedFiles map[string][]byte
	seedErr   error
)

// seededDir returns a fresh directory (0700) holding copies of the seed
// files listed in names (all four when names is empty), each with mode 0600
// (.pub files 0644).
func seededDir(t *testing.T, names ...string) string {
	t.Helper()
	seedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hostkeys-seed-")
		if err != nil {
			seedErr = err
			return
		}
		defer func() { _ = os.RemoveAll(dir) }()
		if _, seedErr = LoadOrCreate(dir); seedErr != nil {
			return
		}
		seedFiles = map[string][]byte{}
		for _, n := range []string{Ed25519File, Ed25519File + ".pub", RSAFile, RSAFile + ".pub"} {
			if seedFiles[n], seedErr = os.ReadFile(filepath.Join(dir, n)); seedErr != nil {
				return
			}
		}
	})
	if seedErr != nil {
		t.Fatalf("seed keys: %v", seedErr)
	}
	if len(names) == 0 {
		names = []string{Ed25519File, Ed25519File + ".pub", RSAFile, RSAFile + ".pub"}
	}
	dir := t.TempDir()
	for _, n := range names {
		mode := os.FileMode(0o600)
		if strings.HasSuffix(n, ".pub") {
			mode = 0o644
		}
		writeFile(t, filepath.Join(dir, n), seedFiles[n], mode)
	}
	return dir
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // defeat the umask
		t.Fatal(err)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// entry is one directory entry as snapshot records it.
type entry struct {
	mode   fs.FileMode
	data   string
	target string
}

// snapshot records every entry of dir, so a test can prove that a refused
// start changed nothing.
func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap := map[string]entry{}
	for _, de := range des {
		path := filepath.Join(dir, de.Name())
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		e := entry{mode: fi.Mode()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			e.target, _ = os.Readlink(path)
		case fi.Mode().IsRegular():
			// Read through a copy of the mode: the file may be 0000.
			if err := os.Chmod(path, 0o600); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			chmod(t, path, fi.Mode().Perm())
			e.data = string(b)
		}
		snap[de.Name()] = e
	}
	return snap
}

func sameSnapshot(t *testing.T, got, want map[string]entry) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s removed", name)
		case g.mode != w.mode:
			t.Errorf("%s mode: got %v; want %v", name, g.mode, w.mode)
		case g.data != w.data || g.target != w.target:
			t.Errorf("%s was rewritten", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s was created", name)
		}
	}
}

func TestFirstStartCreatesKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hostkeys")
	keys, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("dir mode: got %04o; want 0700", got)
	}
	want := []struct{ file, keyType string }{{Ed25519File, ssh.KeyAlgoED25519}, {RSAFile, ssh.KeyAlgoRSA}}
	if len(keys) != len(want) {
		t.Fatalf("got %d keys; want %d", len(keys), len(want))
	}
	for i, w := range want {
		k := keys[i]
		if got := k.Path; got != filepath.Join(dir, w.file) {
			t.Errorf("key %d path: got %q; want %q", i, got, filepath.Join(dir, w.file))
		}
		if k.Type != w.keyType || k.Signer.PublicKey().Type() != w.keyType {
			t.Errorf("key %d type: got %q; want %q", i, k.Type, w.keyType)
		}
		if got := ssh.FingerprintSHA256(k.Signer.PublicKey()); k.Fingerprint != got || !strings.HasPrefix(got, "SHA256:") {
			t.Errorf("key %d fingerprint: got %q; want %q", i, k.Fingerprint, got)
		}
		for _, f := range []struct {
			name string
			mode os.FileMode
		}{{w.file, 0o600}, {w.file + ".pub", 0o644}} {
			fi, err := os.Lstat(filepath.Join(dir, f.name))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode(); got != f.mode {
				t.Errorf("%s mode: got %v; want %v", f.name, got, f.mode)
			}
		}
		data, err := os.ReadFile(k.Path)
		if err != nil {
			t.Fatal(err)
		}
		if block, _ := pem.Decode(data); block == nil || block.Type != "OPENSSH PRIVATE KEY" {
			t.Errorf("%s is not an OpenSSH PEM private key", w.file)
		}
		pubData, err := os.ReadFile(k.Path + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		pub, _, _, _, err := ssh.ParseAuthorizedKey(pubData)
		if err != nil {
			t.Fatalf("parse %s.pub: %v", w.file, err)
		}
		if got := ssh.FingerprintSHA256(pub); got != k.Fingerprint {
			t.Errorf("%s.pub fingerprint: got %q; want %q", w.file, got, k.Fingerprint)
		}
		sig, err := k.Signer.Sign(rand.Reader, []byte("warren"))
		if err != nil {
			t.Fatalf("sign with %s: %v", w.file, err)
		}
		if err := pub.Verify([]byte("warren"), sig); err != nil {
			t.Errorf("verify %s signature: %v", w.file, err)
		}
	}
	if len(keys) == 2 {
		ck, ok := keys[1].Signer.PublicKey().(ssh.CryptoPublicKey)
		if !ok {
			t.Fatal("RSA public key does not expose its crypto key")
		}
		if got := ck.CryptoPublicKey().(*rsa.PublicKey).N.BitLen(); got != RSABits {
			t.Errorf("RSA bits: got %d; want %d", got, RSABits)
		}
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(des) != 4 {
		var names []string
		for _, de := range des {
			names = append(names, de.Name())
		}
		t.Errorf("dir holds %q; want the two keys and their .pub files only", names)
	}
}

// Missing parents of the key directory are made as mkdir -p makes them,
// passable by others: the data directory may share them, and sessions
// running as other uids must pass through.
func TestMissingParentsArePassable(t *testing.T) {
	root := t.TempDir()
	parent, dir := filepath.Join(root, "srv"), filepath.Join(root, "srv", "keys")
	if _, err := LoadOrCreate(dir); err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	fi, err := os.Stat(parent)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o001 == 0 {
		t.Errorf("%s: mode %04o; want others allowed to pass through", parent, fi.Mode().Perm())
	}
	if fi, err = os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("%s: mode %04o; want 0700", dir, fi.Mode().Perm())
	}
}

func TestSecondStartLoadsSameKeys(t *testing.T) {
	dir := seededDir(t)
	before := snapshot(t, dir)
	first, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("first LoadOrCreate: %v", err)
	}
	second, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("second LoadOrCreate: %v", err)
	}
	for i := range first {
		if first[i].Fingerprint != second[i].Fingerprint {
			t.Errorf("key %d fingerprint: got %q; want %q", i, second[i].Fingerprint, first[i].Fingerprint)
		}
	}
	sameSnapshot(t, snapshot(t, dir), before)
}

func TestOnlyOneKeyGeneratesTheOther(t *testing.T) {
	tests := []struct {
		name    string
		present string
		missing string
	}{
		{name: "ed25519 present", present: Ed25519File, missing: RSAFile},
		{name: "rsa present", present: RSAFile, missing: Ed25519File},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := seededDir(t, tt.present, tt.present+".pub")
			keep := snapshot(t, dir)
			keys, err := LoadOrCreate(dir)
			if err != nil {
				t.Fatalf("LoadOrCreate: %v", err)
			}
			if len(keys) != 2 || keys[0].Type != ssh.KeyAlgoED25519 || keys[1].Type != ssh.KeyAlgoRSA {
				t.Fatalf("got %d keys in the wrong order", len(keys))
			}
			after := snapshot(t, dir)
			for name, e := range keep {
				if after[name] != e {
					t.Errorf("existing %s was rewritten", name)
				}
			}
			for _, n := range []string{tt.missing, tt.missing + ".pub"} {
				if _, ok := after[n]; !ok {
					t.Errorf("%s not generated", n)
				}
			}
		})
	}
}

func TestMissingPubIsRecreated(t *testing.T) {
	dir := seededDir(t, Ed25519File, RSAFile, RSAFile+".pub")
	keys, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, Ed25519File+".pub"))
	if err != nil {
		t.Fatal(err)
	}
	if want := seedFiles[Ed25519File+".pub"]; !bytes.Equal(got, want) {
		t.Errorf("recreated .pub: got %q; want %q", got, want)
	}
	if want := seedFiles[Ed25519File]; keys[0].Fingerprint == "" || !bytes.Equal(readFile(t, keys[0].Path), want) {
		t.Error("private key changed")
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// marshalPEM renders a private key in OpenSSH PEM format.
func marshalPEM(t *testing.T, key any) []byte {
	t.Helper()
	block, err := ssh.MarshalPrivateKey(key, "test")
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

// Load serves the keys a directory holds and writes nothing: no missing
// key, no missing .pub file, no directory.
func TestLoadWritesNothing(t *testing.T) {
	tests := []struct {
		name  string
		files []string // seed files present; nil: no directory at all
		want  []string // the key types Load returns, in order
	}{
		{name: "no directory", want: nil},
		{name: "empty directory", files: []string{}, want: nil},
		{name: "both keys", files: []string{Ed25519File, Ed25519File + ".pub", RSAFile, RSAFile + ".pub"}, want: []string{ssh.KeyAlgoED25519, ssh.KeyAlgoRSA}},
		{name: "ed25519 without its .pub", files: []string{Ed25519File}, want: []string{ssh.KeyAlgoED25519}},
		{name: "rsa only", files: []string{RSAFile, RSAFile + ".pub"}, want: []string{ssh.KeyAlgoRSA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "absent")
			if tt.files != nil {
				dir = seededDir(t, tt.files...)
				if len(tt.files) == 0 {
					dir = t.TempDir()
				}
			}
			var before map[string]entry
			if tt.files != nil {
				before = snapshot(t, dir)
			}
			keys, err := Load(dir)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var got []string
			for _, k := range keys {
				got = append(got, k.Type)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			if HasKeys(dir) != (len(tt.want) > 0) {
				t.Errorf("HasKeys = %v; want %v", HasKeys(dir), len(tt.want) > 0)
			}
			if tt.files == nil {
				if _, err := os.Lstat(dir); !os.IsNotExist(err) {
					t.Errorf("Load made %s (%v)", dir, err)
				}
				return
			}
			sameSnapshot(t, snapshot(t, dir), before)
		})
	}
}

// A group-writable directory is refused by Load too, before anything is
// made: a clone made with umask 002 has such directories.
func TestLoadRefusesInsecureDir(t *testing.T) {
	dir := seededDir(t)
	chmod(t, dir, 0o775)
	if _, err := Load(dir); !errors.Is(err, ErrInsecureDir) || !strings.Contains(err.Error(), dir) {
		t.Errorf("got %v; want ErrInsecureDir naming %s", err, dir)
	}
}
