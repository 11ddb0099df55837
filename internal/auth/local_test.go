package auth

import (
	"crypto/elliptic"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// localHarness is laptop mode: no GitHub, the local user "me" with the keys
// of dir (which need not exist yet).
func localHarness(t *testing.T, dir string) *harness {
	t.Helper()
	return newHarness(t, func(o *Options) {
		o.GitHubURL = ""
		o.LocalLogin = "me"
		o.LocalKeyDir = dir
	})
}

// A user with no key at start makes one (ssh-keygen writes ~/.ssh/*.pub),
// and it lets them in without a restart: picked up by the watcher.
func TestLocalKeyMadeAfterStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".ssh") // no ~/.ssh yet
	h := localHarness(t, dir)
	me := newEd25519(t)
	if h.a.CheckKey("me", me) {
		t.Fatal("CheckKey before the key exists = true")
	}
	if keys, _ := h.a.Keys("me"); len(keys) != 0 {
		t.Fatalf("got %d keys; want none", len(keys))
	}
	h.run(t)
	ch := h.a.Changed()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "id_ed25519.pub", line(me, "me@laptop")+"\n")
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("new key not picked up within 5s")
	}
	if !h.a.CheckKey("me", me) {
		t.Error("CheckKey(me, new key) = false; want true")
	}
	eventually(t, 2*time.Second, "one 'local keys loaded' log", func() bool {
		return h.logs.count("local keys loaded", "id_ed25519.pub", "keys=1") == 1
	})

	// authorized_keys, edited later, is picked up too.
	other := newECDSA(t, elliptic.P256())
	ch = h.a.Changed()
	writeFile(t, dir, "authorized_keys", line(other, "")+"\n")
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("authorized_keys not picked up within 5s")
	}
	if !h.a.CheckKey("me", other) {
		t.Error("CheckKey(me, authorized_keys key) = false; want true")
	}

	// A deleted key no longer lets anyone in.
	ch = h.a.Changed()
	if err := os.Remove(filepath.Join(dir, "id_ed25519.pub")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("deleted key still in force after 5s")
	}
	if h.a.CheckKey("me", me) || !h.a.CheckKey("me", other) {
		t.Errorf("after deleting id_ed25519.pub: CheckKey(deleted) = %v, CheckKey(kept) = %v; want false, true",
			h.a.CheckKey("me", me), h.a.CheckKey("me", other))
	}
}

// Reload (SIGHUP) lists the directory again and reads a new key at once.
func TestLocalKeyReload(t *testing.T) {
	dir := t.TempDir()
	h := localHarness(t, dir)
	me := newEd25519(t)
	writeFile(t, dir, "id_ed25519.pub", line(me, "")+"\n")
	if h.a.CheckKey("me", me) {
		t.Fatal("key applied before Reload, with no watcher running")
	}
	if err := h.a.Reload(); err != nil {
		t.Fatal(err)
	}
	if !h.a.CheckKey("me", me) {
		t.Error("CheckKey after Reload = false; want true")
	}
	if err := os.Remove(filepath.Join(dir, "id_ed25519.pub")); err != nil {
		t.Fatal(err)
	}
	if err := h.a.Reload(); err != nil {
		t.Fatal(err)
	}
	if h.a.CheckKey("me", me) {
		t.Error("CheckKey after the key was deleted and Reload = true; want false")
	}
}

// The watcher applies a new or deleted local key file only once it has
// settled: a key file seen halfway through its write is not applied, and a
// file gone for one poll (an editor's save) keeps its keys.
func TestLocalKeysSettle(t *testing.T) {
	dir := t.TempDir()
	h := localHarness(t, dir)
	me := newEd25519(t)
	full := line(me, "me@laptop") + "\n"
	path := filepath.Join(dir, "id_ed25519.pub")
	steps := []struct {
		name  string
		do    func()
		allow bool // CheckKey(me) after the poll that follows
	}{
		{"half written", func() { writeFile(t, dir, "id_ed25519.pub", full[:20]) }, false},
		{"written", func() { writeFile(t, dir, "id_ed25519.pub", full) }, false},
		{"settled", func() {}, true},
		{"gone", func() { _ = os.Remove(path) }, true},
		{"back", func() { writeFile(t, dir, "id_ed25519.pub", full) }, true},
		{"still there", func() {}, true},
		{"gone again", func() { _ = os.Remove(path) }, true},
		{"stays away", func() {}, false},
	}
	for _, st := range steps {
		st.do()
		h.a.pollFiles()
		if got := h.a.CheckKey("me", me); got != st.allow {
			t.Fatalf("%s: CheckKey = %v; want %v", st.name, got, st.allow)
		}
	}
}

// Only public key files count: private keys, certificates, known_hosts and
// directories are not read; an unreadable key file never stops start-up.
func TestLocalKeyFilesListed(t *testing.T) {
	dir := t.TempDir()
	me := newEd25519(t)
	writeFile(t, dir, "id_ed25519.pub", line(me, "")+"\n")
	writeFile(t, dir, "id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
	writeFile(t, dir, "id_ed25519-cert.pub", "ssh-ed25519-cert-v01@openssh.com AAAA\n")
	writeFile(t, dir, "known_hosts", line(newEd25519(t), "")+"\n")
	writeFile(t, dir, "authorized_keys", "")
	if err := os.Mkdir(filepath.Join(dir, "old.pub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling.pub")); err != nil {
		t.Fatal(err)
	}
	got := listLocalKeyFiles(dir)
	want := []string{filepath.Join(dir, "authorized_keys"), filepath.Join(dir, "dangling.pub"), filepath.Join(dir, "id_ed25519.pub")}
	if len(got) != len(want) {
		t.Fatalf("got %q; want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %q; want %q", got, want)
		}
	}
	h := localHarness(t, dir)
	if keys, _ := h.a.Keys("me"); len(keys) != 1 || keys[0].Fingerprint != ssh.FingerprintSHA256(me) {
		t.Errorf("got %d keys; want only id_ed25519.pub's", len(keys))
	}
	if n := h.logs.count("key line skipped"); n != 0 {
		t.Errorf("got %d skipped-line warnings; want none", n)
	}
}
