package main

// Commands for the penalty scripts: many wrong keys at once, and a source
// that hammers the port as fast as it can.

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	gossh "golang.org/x/crypto/ssh"
)

// fromFlag strips a leading "-from ADDR" from args: the local address to
// connect from, 127.0.0.1 unless given.
func fromFlag(ts *testscript.TestScript, args []string) (net.IP, []string) {
	ip := net.IPv4(127, 0, 0, 1)
	if len(args) >= 2 && args[0] == "-from" {
		if ip = net.ParseIP(args[1]); ip == nil {
			ts.Fatalf("-from %q: not an address", args[1])
		}
		args = args[2:]
	}
	return ip, args
}

// wrongkeys [-from ADDR] N KEY LOGIN: N connections at once, as a script
// that brute-forces with a wrong key: each completes its key exchange,
// waits until all N have, then offers KEY (signed) for LOGIN, which must be
// refused. All N are admitted and fail together, so each one's
// authentication failure counts against the source.
func cmdWrongKeys(ts *testscript.TestScript, neg bool, args []string) {
	from, args := fromFlag(ts, args)
	if neg || len(args) != 3 {
		ts.Fatalf("usage: wrongkeys [-from ADDR] N KEY LOGIN")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	pem, err := os.ReadFile(ts.MkAbs(filepath.Join("keys", args[1])))
	ts.Check(err)
	signer, err := gossh.ParsePrivateKey(pem)
	ts.Check(err)

	var ready sync.WaitGroup // every connection past its key exchange
	ready.Add(n)
	all := make(chan struct{})
	go func() { // ends when every connection is ready
		ready.Wait()
		close(all)
	}()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		// Each client ends when the server has refused it (or on error).
		go func() {
			defer wg.Done()
			var once sync.Once
			arrived := func() { once.Do(ready.Done) }
			defer arrived() // a connection that never gets that far
			cfg := &gossh.ClientConfig{
				User: args[2],
				Auth: []gossh.AuthMethod{gossh.PublicKeysCallback(func() ([]gossh.Signer, error) {
					arrived()
					select {
					case <-all:
					case <-time.After(waitDeadline):
					}
					return []gossh.Signer{signer}, nil
				})},
				HostKeyCallback: gossh.InsecureIgnoreHostKey(),
				Timeout:         waitDeadline,
			}
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: waitDeadline}
			c, err := d.Dial("tcp", "127.0.0.1:"+ts.Getenv("PORT"))
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(2 * waitDeadline))
			conn, _, _, err := gossh.NewClientConn(c, "127.0.0.1", cfg)
			if err == nil {
				conn.Close()
				errs[i] = fmt.Errorf("authenticated")
				return
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	bad := 0
	for i, err := range errs {
		if err != nil {
			bad++
			ts.Logf("wrongkeys: connection %d: %v", i, err)
		}
	}
	if bad > 0 {
		ts.Fatalf("wrongkeys: %d of %d connections were not refused for their key", bad, n)
	}
	fmt.Fprintf(ts.Stdout(), "%d connections refused for their key\n", n)
}

// hammer [-from ADDR] [-kex] [-min N] [-max N] DURATION: for DURATION,
// connects again and again, one connection at a time, as fast as the
// server answers (at most one every 5ms). Each reads the server's version
// line, if one comes, and hangs up without sending a byte; with -kex each
// instead runs a whole key exchange and asks to authenticate with no
// method ("none", refused). A connection that got the version (with -kex:
// finished the key exchange) was admitted; one closed without it was
// refused at the door. Prints the counts; fails if the admitted ones are
// fewer than -min or more than -max.
func cmdHammer(ts *testscript.TestScript, neg bool, args []string) {
	from, args := fromFlag(ts, args)
	lo, hi, kex := 0, -1, false
	for len(args) >= 1 && (args[0] == "-min" || args[0] == "-max" || args[0] == "-kex") {
		if args[0] == "-kex" {
			kex, args = true, args[1:]
			continue
		}
		if len(args) < 2 {
			break
		}
		v, err := strconv.Atoi(args[1])
		ts.Check(err)
		if args[0] == "-min" {
			lo = v
		} else {
			hi = v
		}
		args = args[2:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: hammer [-from ADDR] [-kex] [-min N] [-max N] DURATION")
	}
	span, err := time.ParseDuration(args[0])
	ts.Check(err)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: 5 * time.Second}
	start := time.Now()
	tries, admitted := 0, 0
	for time.Since(start) < span {
		next := time.Now().Add(5 * time.Millisecond)
		c, err := d.Dial("tcp", "127.0.0.1:"+ts.Getenv("PORT"))
		ts.Check(err)
		tries++
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if kex {
			if keyExchange(c) {
				admitted++
			}
		} else if line, _ := bufio.NewReader(c).ReadString('\n'); strings.HasPrefix(line, "SSH-2.0-") {
			admitted++
		}
		c.Close()
		time.Sleep(time.Until(next))
	}
	took := time.Since(start)
	fmt.Fprintf(ts.Stdout(), "hammer: %d connections in %s: %d admitted (%.1f/s), %d refused at the door\n",
		tries, took.Round(100*time.Millisecond), admitted, float64(admitted)/took.Seconds(), tries-admitted)
	if admitted < lo || (hi >= 0 && admitted > hi) {
		ts.Fatalf("hammer: %d admitted; want at least %d and at most %d (-1: any)", admitted, lo, hi)
	}
}

// ssh-retry -within DURATION KEY LOGIN [COMMAND...]: runs the real ssh
// client again every 500 ms until it succeeds, failing if it has not within
// DURATION; the successful run's output is the script's. For a login that
// is refused at first and must get in once a penalty allows it.
func cmdSSHRetry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 4 || args[0] != "-within" {
		ts.Fatalf("usage: ssh-retry -within DURATION KEY LOGIN [COMMAND...]")
	}
	within, err := time.ParseDuration(args[1])
	ts.Check(err)
	a := append(sshArgs(ts, args[2], args[3]), args[4:]...)
	started := time.Now()
	for tries := 1; ; tries++ {
		err := ts.Exec("ssh", a...)
		if err == nil {
			ts.Logf("ssh-retry: in after %s, %d tries", time.Since(started).Round(10*time.Millisecond), tries)
			return
		}
		if time.Since(started) > within {
			ts.Fatalf("ssh-retry: still refused after %s, %d tries: %v", within, tries, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// keyExchange runs an SSH client's key exchange on c and asks to
// authenticate with no method; it reports whether the key exchange
// finished (the server then refuses the authentication).
func keyExchange(c net.Conn) bool {
	cfg := &gossh.ClientConfig{User: "hammer", HostKeyCallback: gossh.InsecureIgnoreHostKey()}
	conn, _, _, err := gossh.NewClientConn(c, "127.0.0.1", cfg)
	if err == nil {
		conn.Close()
		return true
	}
	return strings.Contains(err.Error(), "unable to authenticate")
}
