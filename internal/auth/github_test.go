package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestFetch(t *testing.T) {
	a, b := newEd25519(t), newRSA(t, 3072)
	keysBody := line(a, "laptop") + "\n" + line(b, "") + "\nssh-dss AAAA\n"
	const max = 4 << 10
	tests := []struct {
		name        string
		status      int
		ctype       string // "-" = no Content-Type header at all
		body        string
		wantKeys    int
		wantSkipped int
		wantErr     error
		wantInErr   string
	}{
		{name: "keys", status: 200, ctype: "text/plain", body: keysBody, wantKeys: 2, wantSkipped: 1},
		{name: "charset parameter", status: 200, ctype: "text/plain; charset=utf-8", body: keysBody, wantKeys: 2, wantSkipped: 1},
		{name: "upper-case type", status: 200, ctype: "Text/Plain", body: keysBody, wantKeys: 2, wantSkipped: 1},
		{name: "empty key set", status: 200, ctype: "text/plain", body: ""},
		{name: "exactly the limit", status: 200, ctype: "text/plain", body: strings.Repeat("#", max)},
		{name: "over the limit", status: 200, ctype: "text/plain", body: strings.Repeat("#", max+1), wantErr: ErrTooLarge},
		{name: "html", status: 200, ctype: "text/html; charset=utf-8", body: "<html>" + keysBody, wantErr: ErrNotPlainText},
		{name: "no content type", status: 200, ctype: "-", body: keysBody, wantErr: ErrNotPlainText},
		{name: "bad content type", status: 200, ctype: "text/plain; =", body: keysBody, wantErr: ErrNotPlainText},
		{name: "404", status: 404, ctype: "text/plain", body: "Not Found", wantErr: ErrNoSuchUser},
		{name: "500", status: 500, ctype: "text/plain", body: keysBody, wantErr: ErrUnexpectedStatus, wantInErr: "500"},
		{name: "429", status: 429, ctype: "text/plain", body: keysBody, wantErr: ErrUnexpectedStatus, wantInErr: "429"},
		{name: "redirect loop status", status: 304, ctype: "text/plain", wantErr: ErrUnexpectedStatus, wantInErr: "304"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotPath, gotUA string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotUA = r.URL.Path, r.Header.Get("User-Agent")
				if tt.ctype == "-" {
					w.Header()["Content-Type"] = nil // no sniffing
				} else {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			f := &Fetcher{BaseURL: srv.URL + "/", Client: srv.Client(), MaxBytes: max}
			keys, skipped, err := f.Fetch(context.Background(), "Alice")
			if gotPath != "/alice.keys" {
				t.Errorf("got path %q; want %q", gotPath, "/alice.keys")
			}
			if gotUA != "warren" {
				t.Errorf("got User-Agent %q; want %q", gotUA, "warren")
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v; want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantInErr) {
					t.Errorf("got error %q; want it to contain %q", err, tt.wantInErr)
				}
				if keys != nil || skipped != nil {
					t.Errorf("got %d keys, %d skipped with an error; want none", len(keys), len(skipped))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != tt.wantKeys || len(skipped) != tt.wantSkipped {
				t.Errorf("got %d keys, %d skipped; want %d, %d", len(keys), len(skipped), tt.wantKeys, tt.wantSkipped)
			}
		})
	}
}

func TestFetchInvalidLoginSendsNothing(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests.Add(1) }))
	defer srv.Close()
	f := &Fetcher{BaseURL: srv.URL, Client: srv.Client()}
	for _, login := range []string{"../admin", "a/b", "a?b=c", "", "x\n"} {
		if _, _, err := f.Fetch(context.Background(), login); !errors.Is(err, ErrInvalidLogin) {
			t.Errorf("Fetch(%q) error = %v; want ErrInvalidLogin", login, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("got %d requests; want 0", n)
	}
}

func TestFetchSlowServerTimesOut(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{name: "no headers", handler: func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}},
		{name: "one byte at a time", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-r.Context().Done():
					return
				case <-tick.C:
				}
				if _, err := w.Write([]byte("#")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			f := &Fetcher{BaseURL: srv.URL, Client: srv.Client(), Timeout: 200 * time.Millisecond}
			start := time.Now()
			_, _, err := f.Fetch(context.Background(), "alice")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got error %v; want a deadline error", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("Fetch took %v; want about the 200ms timeout", d)
			}
		})
	}
}

func TestFetchEndlessBodyStopsAtLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		chunk := []byte(strings.Repeat("0", 32<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	const max = 256 << 10
	f := &Fetcher{BaseURL: srv.URL, Client: srv.Client(), MaxBytes: max, Timeout: 30 * time.Second}
	start := time.Now()
	_, _, err := f.Fetch(context.Background(), "alice")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got error %v; want ErrTooLarge", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Fetch took %v; want it to stop at the limit promptly", d)
	}
	srv.CloseClientConnections()
}

func TestFetchConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	f := &Fetcher{BaseURL: url, Timeout: 2 * time.Second}
	_, _, err := f.Fetch(context.Background(), "alice")
	if err == nil {
		t.Fatal("got nil error; want a connection error")
	}
	for _, sentinel := range []error{ErrNoSuchUser, ErrNotPlainText, ErrUnexpectedStatus, ErrTooLarge} {
		if errors.Is(err, sentinel) {
			t.Errorf("got %v; want a plain connection error, not %v", err, sentinel)
		}
	}
}
