package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"golang.org/x/crypto/ssh"
)

// Both servers are measured with one client configuration: the same key
// exchange, cipher, host key type and user key, so that only the servers
// differ.
var (
	clientKex     = []string{"curve25519-sha256"}
	clientCiphers = []string{"aes128-gcm@openssh.com"}
)

const (
	termCols = 80
	termRows = 24
)

// newUserKey returns a fresh ed25519 user key and its authorized_keys line
// with comment as the comment field.
func newUserKey(comment string) (ssh.Signer, string, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, "", fmt.Errorf("generate user key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, "", fmt.Errorf("user key signer: %w", err)
	}
	line := bytes.TrimSpace(ssh.MarshalAuthorizedKey(signer.PublicKey()))
	return signer, string(line) + " " + comment + "\n", nil
}

// endpoint is one SSH server as the benchmark logs in to it.
type endpoint struct {
	name   string
	addr   string
	config *ssh.ClientConfig
}

func newEndpoint(name, addr, user string, signer ssh.Signer, hostKey ssh.PublicKey) endpoint {
	return endpoint{name: name, addr: addr, config: &ssh.ClientConfig{
		User:              user,
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback:   ssh.FixedHostKey(hostKey),
		HostKeyAlgorithms: []string{ssh.KeyAlgoED25519},
		Config:            ssh.Config{KeyExchanges: clientKex, Ciphers: clientCiphers},
		Timeout:           20 * time.Second,
	}}
}

// term is one SSH connection carrying one session with a PTY. Its methods
// are called from one goroutine; waits are bounded by read deadlines on the
// TCP connection, which end the whole connection when they fire.
type term struct {
	nc      net.Conn
	client  *ssh.Client
	sess    *ssh.Session
	stdin   io.WriteCloser
	stdout  io.Reader
	buf     []byte
	pending []byte // output read but not consumed by a wait yet
}

// dial opens a TCP connection to ep and completes key exchange and
// authentication.
func dial(ep endpoint) (*term, error) {
	nc, err := net.DialTimeout("tcp", ep.addr, ep.config.Timeout)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", ep.name, err)
	}
	_ = nc.SetDeadline(time.Now().Add(ep.config.Timeout))
	c, chans, reqs, err := ssh.NewClientConn(nc, ep.addr, ep.config)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("ssh handshake with %s: %w", ep.name, err)
	}
	_ = nc.SetDeadline(time.Time{})
	return &term{nc: nc, client: ssh.NewClient(c, chans, reqs), buf: make([]byte, 256<<10)}, nil
}

// start opens a session with an 80x24 xterm PTY and runs command in it.
func (t *term) start(command string) error {
	s, err := t.client.NewSession()
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 38400, ssh.TTY_OP_OSPEED: 38400}
	if err := s.RequestPty("xterm-256color", termRows, termCols, modes); err != nil {
		return fmt.Errorf("request pty: %w", err)
	}
	if t.stdin, err = s.StdinPipe(); err != nil {
		return fmt.Errorf("stdin: %w", err)
	}
	if t.stdout, err = s.StdoutPipe(); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	if err := s.Start(command); err != nil {
		return fmt.Errorf("start %q: %w", command, err)
	}
	t.sess = s
	return nil
}

// open dials ep and starts command: one login.
func open(ep endpoint, command string) (*term, error) {
	t, err := dial(ep)
	if err != nil {
		return nil, err
	}
	if err := t.start(command); err != nil {
		t.close()
		return nil, fmt.Errorf("%s: %w", ep.name, err)
	}
	return t, nil
}

// close drops the TCP connection without detaching or closing the channel
// first, as a laptop lid or a lost network would.
func (t *term) close() { t.nc.Close() }

// send writes p to the session's input.
func (t *term) send(p []byte) error {
	if _, err := t.stdin.Write(p); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

var errClosed = errors.New("connection closed or timed out")

// fill reads one more chunk of output into pending, waiting at most until
// deadline.
func (t *term) fill(deadline time.Time) error {
	_ = t.nc.SetReadDeadline(deadline)
	n, err := t.stdout.Read(t.buf)
	t.pending = append(t.pending, t.buf[:n]...)
	if n > 0 {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return errClosed
	}
	return err
}

// waitFor consumes output up to and including the first occurrence of
// pattern. It keeps only a pattern-sized tail of unmatched output, so it
// runs in constant memory over any amount of output.
func (t *term) waitFor(pattern []byte, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if i := bytes.Index(t.pending, pattern); i >= 0 {
			t.pending = t.pending[:copy(t.pending, t.pending[i+len(pattern):])]
			return nil
		}
		if keep := len(pattern) - 1; len(t.pending) > keep {
			t.pending = t.pending[:copy(t.pending, t.pending[len(t.pending)-keep:])]
		}
		if err := t.fill(deadline); err != nil {
			return fmt.Errorf("wait for %q: %w", pattern, err)
		}
	}
}

// waitText consumes output up to the first time b shows as text outside
// escape sequences; st carries the escape state across calls.
func (t *term) waitText(b byte, st *stripper, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		for i, c := range t.pending {
			if st.text(c) && c == b {
				t.pending = t.pending[:copy(t.pending, t.pending[i+1:])]
				return nil
			}
		}
		t.pending = t.pending[:0]
		if err := t.fill(deadline); err != nil {
			return fmt.Errorf("wait for echo of %q: %w", b, err)
		}
	}
}

// firstByte waits until the session has written anything.
func (t *term) firstByte(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for len(t.pending) == 0 {
		if err := t.fill(deadline); err != nil {
			return fmt.Errorf("wait for first byte: %w", err)
		}
	}
	return nil
}

// readAll returns everything pending and read until the connection ends
// (or timeout passes).
func (t *term) readAll(timeout time.Duration) []byte {
	deadline := time.Now().Add(timeout)
	for t.fill(deadline) == nil {
	}
	out := t.pending
	t.pending = nil
	return out
}
