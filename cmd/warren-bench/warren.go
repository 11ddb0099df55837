package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"golang.org/x/crypto/ssh"
)

// benchLogin is the warren login the benchmark uses.
const benchLogin = "bench"

// buildWarren builds ./cmd/warren of the module the benchmark runs in.
func buildWarren(ctx context.Context, dir string) (string, error) {
	out := filepath.Join(dir, "warren")
	// warren-session-exec goes beside warren, where warren looks for it.
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(filepath.Separator),
		"github.com/warren-ssh/warren/cmd/warren", "github.com/warren-ssh/warren/cmd/warren-session-exec")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build warren (run from the repository, or pass -warren): %w", err)
	}
	return out, nil
}

// warrenSpec says how to start one warren server.
type warrenSpec struct {
	bin         string // the warren binary
	dir         string // holds data/, hostkeys/, keys and the log
	tag         string // names the data directory and the log
	helper      string // the benchmark binary, run as "helper" in sessions
	keysFile    string // authorized_keys with the bench login as comment
	maxSessions int
}

// warrenServer is a running warren.
type warrenServer struct {
	*daemon
	addr    string
	data    string
	hostKey ssh.PublicKey
}

var warrenReady = regexp.MustCompile(`msg="warren listening" ssh=(\S+)`)

// startWarren starts warren on 127.0.0.1 ports it picks itself and waits for
// its "warren listening" line.
func startWarren(sp warrenSpec) (*warrenServer, error) {
	data := filepath.Join(sp.dir, "data-"+sp.tag)
	hostKeys := filepath.Join(sp.dir, "hostkeys") // shared: keys are generated once
	limit := strconv.Itoa(sp.maxSessions + 16)
	cmd := exec.Command(sp.bin, "serve",
		"--listen", "127.0.0.1:0",
		"--http", "127.0.0.1:0",
		"--data", data,
		"--host-keys", hostKeys,
		"--allow", benchLogin,
		"--keys-file", sp.keysFile,
		"--command", shellQuote(sp.helper)+" helper",
		"--start-args", "",
		"--resume-args", "",
		"--max-sessions", limit,
		"--max-conns-per-login", limit,
		"--stop-grace", "2s",
	)
	cmd.Env = os.Environ()
	d, m, err := startDaemon("warren", cmd, filepath.Join(sp.dir, "warren-"+sp.tag+".log"), warrenReady, 60*time.Second)
	if err != nil {
		return nil, err
	}
	pub, err := os.ReadFile(filepath.Join(hostKeys, "ssh_host_ed25519_key.pub"))
	if err != nil {
		d.stop(5 * time.Second)
		return nil, fmt.Errorf("read warren host key: %w", err)
	}
	key, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	if err != nil {
		d.stop(5 * time.Second)
		return nil, fmt.Errorf("parse warren host key: %w", err)
	}
	return &warrenServer{daemon: d, addr: m[1], data: data, hostKey: key}, nil
}

// historyDir is where warren keeps the history of one of the bench login's
// workspaces.
func (w *warrenServer) historyDir(workspace string) string {
	return filepath.Join(w.data, "history", benchLogin, workspace)
}
