package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakeGitHub stands in for https://github.com: it serves $WORK/github/LOGIN.keys
// at /LOGIN.keys, counts requests per login, and can be switched into the
// failure modes a real GitHub shows.
type fakeGitHub struct {
	dir string
	srv *httptest.Server

	// mu guards the following.
	mu    sync.Mutex
	mode  string // "ok", "500", "429", "404", "html", "slow", "down"
	count map[string]int
}

type fakeGitHubKey struct{}

func newFakeGitHub(dir string) *fakeGitHub {
	g := &fakeGitHub{dir: dir, mode: "ok", count: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

func (g *fakeGitHub) url() string { return g.srv.URL }

func (g *fakeGitHub) close() { g.srv.Close() }

func (g *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	login, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".keys")
	g.mu.Lock()
	mode := g.mode
	g.count[login]++
	g.mu.Unlock()
	switch mode {
	case "500":
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case "429":
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body>ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxxxx sign in</body></html>")
		return
	case "slow":
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		return
	case "down":
		// Reset the connection: what an unreachable GitHub looks like.
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				if tc, ok := c.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				c.Close()
				return
			}
		}
		http.Error(w, "down", http.StatusBadGateway)
		return
	}
	body, err := os.ReadFile(filepath.Join(g.dir, filepath.Base(login)+".keys"))
	if !ok || err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(body)
}

func fakeGitHubOf(ts *testscript.TestScript) *fakeGitHub {
	return ts.Value(fakeGitHubKey{}).(*fakeGitHub)
}

// github mode MODE | github requests LOGIN: switches fake GitHub's
// behaviour, or prints how many times LOGIN's keys were requested.
func cmdGitHub(ts *testscript.TestScript, neg bool, args []string) {
	g := fakeGitHubOf(ts)
	switch {
	case len(args) == 2 && args[0] == "mode":
		switch args[1] {
		case "ok", "500", "429", "html", "slow", "down":
		default:
			ts.Fatalf("github mode: unknown mode %q", args[1])
		}
		g.mu.Lock()
		g.mode = args[1]
		g.mu.Unlock()
	case len(args) == 2 && args[0] == "requests":
		g.mu.Lock()
		n := g.count[args[1]]
		g.mu.Unlock()
		fmt.Fprintln(ts.Stdout(), n)
	default:
		ts.Fatalf("usage: github mode MODE | github requests LOGIN")
	}
}
