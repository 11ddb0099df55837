package auth

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Fetcher defaults.
const (
	DefaultFetchTimeout = 5 * time.Second
	DefaultMaxBodyBytes = 256 << 10
)

// Fetcher fetches a login's public keys from GitHub's <BaseURL>/<login>.keys.
// The zero values of Client, Timeout and MaxBytes mean a private client,
// DefaultFetchTimeout and DefaultMaxBodyBytes. A Fetcher is safe for
// concurrent use.
type Fetcher struct {
	BaseURL  string // e.g. "https://github.com"
	Client   *http.Client
	Timeout  time.Duration // per call, covering the whole body read
	MaxBytes int64         // body size limit
}

// defaultClient is used when Fetcher.Client is nil. Its lack of a global
// timeout is deliberate: every call carries its own deadline.
var defaultClient = &http.Client{}

// Fetch GETs <BaseURL>/<login>.keys and parses the body with ParseKeys.
// Only a 200 with Content-Type text/plain is a key set (possibly empty);
// 200 with another type wraps ErrNotPlainText, 404 wraps ErrNoSuchUser, any
// other status wraps ErrUnexpectedStatus, and a body longer than MaxBytes
// wraps ErrTooLarge. At most MaxBytes+1 bytes are read.
func (f *Fetcher) Fetch(ctx context.Context, login string) ([]Key, []SkippedLine, error) {
	login, err := NormalizeLogin(login)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch keys: %w", err)
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	maxBytes := f.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBodyBytes
	}
	client := f.Client
	if client == nil {
		client = defaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	url := strings.TrimRight(f.BaseURL, "/") + "/" + login + ".keys"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch keys for %s: %w", login, err)
	}
	req.Header.Set("User-Agent", "warren")
	req.Header.Set("Accept", "text/plain")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch keys for %s: %w", login, err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, nil, fmt.Errorf("fetch keys for %s: %w", login, ErrNoSuchUser)
	case resp.StatusCode != http.StatusOK:
		return nil, nil, fmt.Errorf("fetch keys for %s: %w %d", login, ErrUnexpectedStatus, resp.StatusCode)
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "text/plain" {
		return nil, nil, fmt.Errorf("fetch keys for %s: %w (got %s)",
			login, ErrNotPlainText, quoteTrunc(resp.Header.Get("Content-Type")))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("fetch keys for %s: read body: %w", login, err)
	}
	if int64(len(body)) > maxBytes {
		return nil, nil, fmt.Errorf("fetch keys for %s: body over %d bytes: %w", login, maxBytes, ErrTooLarge)
	}
	keys, skipped := ParseKeys(body)
	return keys, skipped, nil
}
