package server

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/warren-ssh/warren/internal/session"
)

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
