package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

const sshdPath = "/usr/sbin/sshd"

// sshdServer is a throwaway OpenSSH server for the current user.
type sshdServer struct {
	*daemon
	addr    string
	hostKey ssh.PublicKey
}

// checkSSHD tells how to install sshd when it is missing; the benchmark
// never installs anything itself.
func checkSSHD() error {
	if _, err := os.Stat(sshdPath); err != nil {
		return fmt.Errorf("%s not found: install OpenSSH's server with `apt-get install -y openssh-server` (Debian/Ubuntu): %w", sshdPath, err)
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		return fmt.Errorf("tmux not found: install it with `apt-get install -y tmux`: %w", err)
	}
	return nil
}

// sshdConfig is the generated sshd_config: loopback, one port, pubkey only,
// every path inside dir.
func sshdConfig(dir string, port int) string {
	return strings.Join([]string{
		"ListenAddress 127.0.0.1",
		"Port " + strconv.Itoa(port),
		"HostKey " + filepath.Join(dir, "ssh_host_ed25519_key"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"StrictModes no",
		"UsePAM no",
		"PrintMotd no",
		"PrintLastLog no",
		"MaxStartups 200",
		"LogLevel INFO",
		// sshd runs every command through the user's shell, and Debian's bash
		// sources ~/.bashrc when sshd starts it at shell level 1. An rc file
		// that runs tools (pyenv init takes 0.4 s here) would be measured as
		// sshd; warren runs no shell. SHLVL=1 makes that bash level 2.
		"SetEnv SHLVL=1",
		"",
	}, "\n")
}

var sshdReady = regexp.MustCompile(`Server listening on 127\.0\.0\.1 port (\d+)`)

// startSSHD writes a host key, authorized_keys and a config into dir and
// starts sshd in the foreground. sshd cannot report a port it picked, so a
// free port is chosen by binding :0 and closing it; a lost race is retried.
func startSSHD(dir, authorizedLine string) (*sshdServer, error) {
	if err := checkSSHD(); err != nil {
		return nil, err
	}
	// sshd refuses to start without its privilege separation directory,
	// which only the ssh service creates at boot.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		return nil, fmt.Errorf("create /run/sshd: %w", err)
	}
	hostKey, err := writeHostKey(filepath.Join(dir, "ssh_host_ed25519_key"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(authorizedLine), 0o600); err != nil {
		return nil, fmt.Errorf("write authorized_keys: %w", err)
	}
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		conf := filepath.Join(dir, "sshd_config")
		if err := os.WriteFile(conf, []byte(sshdConfig(dir, port)), 0o600); err != nil {
			return nil, fmt.Errorf("write sshd_config: %w", err)
		}
		cmd := exec.Command(sshdPath, "-D", "-e", "-f", conf)
		d, _, err := startDaemon("sshd", cmd, filepath.Join(dir, "sshd.log"), sshdReady, 20*time.Second)
		if err == nil {
			return &sshdServer{daemon: d, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), hostKey: hostKey}, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a port for sshd: %w", err)
	}
	defer ln.Close()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("pick a port for sshd: not a TCP address")
	}
	return addr.Port, nil
}

// writeHostKey writes a new ed25519 host key in OpenSSH format, 0600.
func writeHostKey(path string) (ssh.PublicKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate sshd host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, fmt.Errorf("marshal sshd host key: %w", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("write sshd host key: %w", err)
	}
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("sshd host key: %w", err)
	}
	return pub, nil
}
