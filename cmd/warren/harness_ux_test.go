package main

// Harness commands for the clone scripts: a local git server, optionally
// slow, and a server that accepts connections and never answers.

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// gitd [-rate BYTES_PER_SECOND] DIR: serves the bare repositories under
// $WORK/DIR over git:// on a port of 127.0.0.1 that it holds open, and
// sets $GITD to host:port. Each connection runs `git daemon --inetd`;
// with -rate, what it sends is paced to that many bytes a second, so a
// clone takes long enough to watch its progress.
func cmdGitd(ts *testscript.TestScript, neg bool, args []string) {
	rate := 0
	if len(args) == 3 && args[0] == "-rate" {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		rate, args = n, args[2:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gitd [-rate BYTES_PER_SECOND] DIR")
	}
	git, err := exec.LookPath("git")
	ts.Check(err)
	base := ts.MkAbs(args[0])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var wg sync.WaitGroup
	// The accept loop ends when the listener is closed at the end of the
	// script; each connection's server ends with its git daemon.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				cmd := exec.Command(git, "daemon", "--inetd", "--export-all", "--base-path="+base, base)
				cmd.Stdin = c
				cmd.Stdout = &pacedWriter{w: c, rate: rate}
				_ = cmd.Run()
			}()
		}
	}()
	ts.Defer(func() {
		ln.Close()
		wg.Wait()
	})
	ts.Setenv("GITD", ln.Addr().String())
}

// pacedWriter writes to w at most rate bytes a second (0: no limit), in
// small pieces.
type pacedWriter struct {
	w     io.Writer
	rate  int
	start time.Time
	sent  int
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	if p.rate <= 0 {
		return p.w.Write(b)
	}
	if p.start.IsZero() {
		p.start = time.Now()
	}
	n := 0
	for n < len(b) {
		chunk := min(len(b)-n, max(1, p.rate/20))
		// Pacing, not waiting for a condition: the next piece is due once
		// the bytes already sent have had their time.
		if due := p.start.Add(time.Duration(p.sent) * time.Second / time.Duration(p.rate)); time.Until(due) > 0 {
			time.Sleep(time.Until(due))
		}
		w, err := p.w.Write(b[n : n+chunk])
		n += w
		p.sent += w
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// silent: listens on a port of 127.0.0.1 that accepts connections, reads
// and discards what they send and never answers, as a server that hangs
// does; sets $SILENT to host:port. silent -open N: waits until exactly N
// of its connections are open (0: every client has gone).
func cmdSilent(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 2 && args[0] == "-open" {
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		v, ok := silentServers.Load(ts.Getenv("SILENT"))
		if !ok {
			ts.Fatalf("silent -open: no silent server")
		}
		s := v.(*silentServer)
		deadline := time.Now().Add(waitDeadline)
		for time.Now().Before(deadline) {
			if s.open() == want {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		ts.Fatalf("silent -open: %d connections open after %s; want %d", s.open(), waitDeadline, want)
	}
	if neg || len(args) != 0 {
		ts.Fatalf("usage: silent | silent -open N")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	s := &silentServer{}
	silentServers.Store(ln.Addr().String(), s)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	// The accept loop ends when the listener is closed; each reader ends
	// when its client hangs up or the connection is closed at the end.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			s.add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer s.add(-1)
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	ts.Defer(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
		silentServers.Delete(ln.Addr().String())
	})
	ts.Setenv("SILENT", ln.Addr().String())
	fmt.Fprintln(ts.Stdout(), ln.Addr().String())
}

// silentServers maps each silent server's address ($SILENT) to its state.
var silentServers sync.Map

// silentServer counts the silent server's open connections.
type silentServer struct {
	mu sync.Mutex
	// mu guards the following.
	n int
}

func (s *silentServer) add(d int) {
	s.mu.Lock()
	s.n += d
	s.mu.Unlock()
}

func (s *silentServer) open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}
