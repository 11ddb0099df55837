package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/warren-ssh/warren/internal/config"
	"github.com/warren-ssh/warren/internal/session"
)

// listenHTTP binds the /healthz and /metrics listener of --http. On TCP,
// any local process can connect, every login's programs included. A unix
// socket (unix:PATH) is the server's alone: its mode is 0600 from the
// moment it exists (set on the socket before bind, so the umask leaves no
// moment when others could connect), in a directory that is the server's
// (or root's) and that nobody else may write into, so nobody can put
// anything in its place; a missing directory is made 0700. A socket left
// by a server that is gone is removed; anything else at PATH, or a server
// still listening there, stops start-up.
func listenHTTP(v string) (net.Listener, error) {
	network, addr, err := config.ParseHTTP(v)
	if err != nil {
		return nil, err
	}
	if network == "tcp" {
		return net.Listen("tcp", addr)
	}
	dir := filepath.Dir(addr)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := checkSocketDir(dir); err != nil {
		return nil, err
	}
	switch fi, err := os.Lstat(addr); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	case fi.Mode().Type() != fs.ModeSocket:
		return nil, fmt.Errorf("%s exists and is not a socket: remove it, or choose another path", addr)
	default:
		if c, err := net.DialTimeout("unix", addr, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("%s: another server listens there", addr)
		}
		if err := os.Remove(addr); err != nil { // stale: its server is gone
			return nil, err
		}
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var ferr error
		if err := c.Control(func(fd uintptr) { ferr = syscall.Fchmod(int(fd), 0o600) }); err != nil {
			return err
		}
		return ferr
	}}
	ln, err := lc.Listen(context.Background(), "unix", addr)
	if err != nil {
		return nil, err
	}
	// Linux gives the file the socket's mode less the umask: make it
	// exactly 0600 (in a directory nobody else writes into).
	if fi, err := os.Lstat(addr); err != nil || fi.Mode().Perm() != 0o600 {
		if err := os.Chmod(addr, 0o600); err != nil {
			ln.Close()
			return nil, err
		}
	}
	return ln, nil
}

// checkSocketDir refuses a directory for the --http socket that someone
// other than the server (or root) owns or may write into.
func checkSocketDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	case !ok || (int(st.Uid) != os.Geteuid() && st.Uid != 0):
		return fmt.Errorf("%s belongs to someone else: put the socket in a directory of the server's own (a missing one is made 0700)", dir)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s can be written by others (mode %04o): put the socket in a directory of the server's own (a missing one is made 0700)", dir, fi.Mode().Perm())
	}
	return nil
}

// health is the body of /healthz.
type health struct {
	Status   string            `json:"status"` // "ok" or "unhealthy"
	Version  string            `json:"version"`
	Uptime   string            `json:"uptime"`
	Checks   map[string]string `json:"checks"` // name → "ok" or what is wrong
	HostKeys []string          `json:"host_keys"`
	Live     int               `json:"connections"`
	Sessions int               `json:"sessions"` // programs running
	// Isolation is "isolated" (each login's programs run as its own uid)
	// or "shared" (all run as the server's user).
	Isolation string `json:"isolation"`
	// UserNames says how a login's programs resolve its uid to a name:
	// "host", "nss_wrapper", "bwrap" (only inside the sandbox) or
	// "unresolved" (isolated mode without libnss-wrapper).
	UserNames string `json:"user_names"`
}

func (s *Server) httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.serveHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	return mux
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	h := health{
		Status:  "ok",
		Version: s.version,
		Uptime:  time.Since(s.started).Round(time.Second).String(),
		Checks:  map[string]string{},
		Live:    s.live.len(),

		Isolation: string(s.accounts.Mode()),
		UserNames: s.userNames(),
	}
	for _, si := range s.sessions.List("") {
		if si.State == session.StateRunning {
			h.Sessions++
		}
	}
	check := func(name string, err error) {
		if err != nil {
			h.Checks[name] = err.Error()
			h.Status = "unhealthy"
			return
		}
		h.Checks[name] = "ok"
	}
	check("database", s.store.Ping(ctx))
	check("data_dir", writable(s.cfg.DataDir))
	for _, k := range s.hostKeys {
		h.HostKeys = append(h.HostKeys, k.Fingerprint)
	}
	if len(h.HostKeys) == 0 {
		check("host_keys", os.ErrNotExist)
	}
	w.Header().Set("Content-Type", "application/json")
	if h.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(h)
}

// writable proves dir accepts a new file by creating and removing one.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".healthz-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(filepath.Clean(name))
}
