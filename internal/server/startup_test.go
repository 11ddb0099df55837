package server

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warren-ssh/warren/hostkeys"
	"github.com/warren-ssh/warren/internal/config"
)

// startupServer is a Server with only what the start-up checks read.
func startupServer(t *testing.T, cfg config.Config) (*Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	return &Server{cfg: cfg, logger: slog.New(slog.NewTextHandler(&logs, nil))}, &logs
}

// writeProgram makes an executable file at path.
func writeProgram(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestResolveCommand(t *testing.T) {
	dir := t.TempDir()
	writeProgram(t, filepath.Join(dir, "bin", "claude"))
	writeProgram(t, filepath.Join(dir, "tools", "run"))
	t.Setenv("PATH", filepath.Join(dir, "bin"))
	t.Chdir(dir)
	tests := []struct {
		name    string
		command []string
		want    string // the program sessions run
		log     []string
	}{
		{name: "found on PATH", command: []string{"claude", "--verbose"}, want: filepath.Join(dir, "bin", "claude"),
			log: []string{"level=INFO", "sessions run --command", "program=" + filepath.Join(dir, "bin", "claude")}},
		{name: "relative path", command: []string{"./tools/run"}, want: filepath.Join(dir, "tools", "run")},
		{name: "program missing", command: []string{"claude-nowhere"}, want: "claude-nowhere",
			log: []string{"level=WARN", "--command: claude-nowhere is not on the server's PATH", "pass --command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, logs := startupServer(t, config.Config{Command: tt.command})
			s.resolveCommand(false)
			if got := s.cfg.Command[0]; got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			if len(s.cfg.Command) != len(tt.command) || (len(tt.command) > 1 && s.cfg.Command[1] != tt.command[1]) {
				t.Errorf("got arguments %q; want those of %q", s.cfg.Command[1:], tt.command)
			}
			for _, part := range tt.log {
				if !strings.Contains(logs.String(), part) {
					t.Errorf("log %q does not say %q", logs.String(), part)
				}
			}
		})
	}
}

// The default command missing says how to install it, once.
func TestResolveCommandMissingClaude(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	s, logs := startupServer(t, config.Config{Command: []string{"claude"}})
	s.resolveCommand(false)
	want := "install the Claude CLI with `npm install -g @anthropic-ai/claude-code`, or pass --command"
	if got := strings.Count(logs.String(), want); got != 1 || strings.Count(logs.String(), "level=WARN") != 1 {
		t.Errorf("log %q: want one WARN saying %q", logs.String(), want)
	}
	if s.cfg.Command[0] != "claude" {
		t.Errorf("got %q; want claude, looked up again at each start", s.cfg.Command[0])
	}
}

// In isolated mode a program the login uids cannot reach is said.
func TestResolveCommandUnreachable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "private")
	writeProgram(t, filepath.Join(dir, "claude"))
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	s, logs := startupServer(t, config.Config{Command: []string{"claude"}})
	s.resolveCommand(true)
	if !strings.Contains(logs.String(), "cannot reach the program") || !strings.Contains(logs.String(), "mode 0700") {
		t.Errorf("log %q: want a warning that session uids cannot reach it", logs.String())
	}
}

func TestCheckHostKeys(t *testing.T) {
	// seed makes dir hold a generated key set.
	seed := func(t *testing.T, dir string) string {
		t.Helper()
		keys, err := hostkeys.LoadOrCreate(dir)
		if err != nil {
			t.Fatal(err)
		}
		return keys[0].Fingerprint
	}
	tests := []struct {
		name    string
		given   bool
		setup   func(t *testing.T, wd string) (wantFP string)
		wantDir string // relative to the working directory
		warn    bool
	}{
		{name: "fresh: under the data dir", wantDir: "data/hostkeys",
			setup: func(t *testing.T, wd string) string { return "" }},
		{name: "old default in use: served in place", wantDir: "hostkeys", warn: true,
			setup: func(t *testing.T, wd string) string { return seed(t, filepath.Join(wd, "hostkeys")) }},
		{name: "both: the data dir wins", wantDir: "data/hostkeys",
			setup: func(t *testing.T, wd string) string {
				seed(t, filepath.Join(wd, "hostkeys"))
				return seed(t, filepath.Join(wd, "data", "hostkeys"))
			}},
		{name: "a source folder without keys is not the old default", wantDir: "data/hostkeys",
			setup: func(t *testing.T, wd string) string {
				if err := os.Mkdir(filepath.Join(wd, "hostkeys"), 0o775); err != nil {
					t.Fatal(err)
				}
				return ""
			}},
		{name: "--host-keys given: no fallback", given: true, wantDir: "data/hostkeys",
			setup: func(t *testing.T, wd string) string {
				seed(t, filepath.Join(wd, "hostkeys"))
				return ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wd := t.TempDir()
			t.Chdir(wd)
			wantFP := tt.setup(t, wd)
			cfg, err := config.Config{DataDir: "data"}.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			s, logs := startupServer(t, cfg)
			if err := s.checkHostKeys(tt.given); err != nil {
				t.Fatalf("checkHostKeys: %v", err)
			}
			if want := filepath.Join(wd, tt.wantDir); s.cfg.HostKeysDir != want {
				t.Errorf("got %q; want %q", s.cfg.HostKeysDir, want)
			}
			if got := strings.Contains(logs.String(), "the old default of --host-keys"); got != tt.warn {
				t.Errorf("warned %v; want %v: %s", got, tt.warn, logs.String())
			}
			if tt.warn && (len(s.hostKeys) == 0 || s.hostKeys[0].Fingerprint != wantFP) {
				t.Errorf("served %d keys; want the old default's, %s", len(s.hostKeys), wantFP)
			}
			if tt.warn && !strings.Contains(logs.String(), "mv "+filepath.Join(wd, "hostkeys", "ssh_host_*")+" "+filepath.Join(wd, "data", "hostkeys")) {
				t.Errorf("log %q does not say how to move the keys", logs.String())
			}
			if !tt.warn && s.hostKeys != nil {
				t.Errorf("got %d keys served in place; want them loaded later", len(s.hostKeys))
			}
		})
	}
}

// Keys in the old default that warren must refuse stop start-up, naming
// the directory: they are never replaced by new ones.
func TestCheckHostKeysOldDefaultRefused(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	old := filepath.Join(wd, "hostkeys")
	if _, err := hostkeys.LoadOrCreate(old); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(old, hostkeys.Ed25519File), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ := config.Config{DataDir: "data"}.Resolve()
	s, _ := startupServer(t, cfg)
	err := s.checkHostKeys(false)
	if err == nil || !strings.Contains(err.Error(), "the old default of --host-keys") || !strings.Contains(err.Error(), hostkeys.Ed25519File) {
		t.Errorf("got %v; want a refusal naming %s in the old default", err, hostkeys.Ed25519File)
	}
	if _, err := os.Stat(filepath.Join(wd, "data")); !os.IsNotExist(err) {
		t.Errorf("data dir made by a refused check (%v)", err)
	}
}

func TestConnectHint(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", ":0"} {
		t.Run(addr, func(t *testing.T) {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			s := &Server{sshLn: ln}
			want := fmt.Sprintf("ssh -p %d alice@localhost", ln.Addr().(*net.TCPAddr).Port)
			if got := s.connectHint("alice"); got != want {
				t.Errorf("got %q; want %q", got, want)
			}
		})
	}
}
