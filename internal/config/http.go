package config

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
)

// httpUnixPrefix marks an --http value that is a unix socket's path.
const httpUnixPrefix = "unix:"

// maxSocketPath is the longest path a unix socket can be bound at
// (sun_path holds 108 bytes with its terminating NUL).
const maxSocketPath = 107

// ParseHTTP reads an --http value: "HOST:PORT" (network "tcp"), or
// "unix:PATH" with PATH absolute (network "unix", address PATH). The empty
// value, which turns the listener off, is for the caller to check first.
func ParseHTTP(v string) (network, address string, err error) {
	if path, ok := strings.CutPrefix(v, httpUnixPrefix); ok {
		switch {
		case path == "":
			return "", "", fmt.Errorf("%q names no socket: give unix:/absolute/path", v)
		case !filepath.IsAbs(path):
			return "", "", fmt.Errorf("%q: the socket's path must be absolute (unix:/run/warren/http.sock)", v)
		case len(path) > maxSocketPath:
			return "", "", fmt.Errorf("%q: the socket's path is longer than %d bytes", v, maxSocketPath)
		case strings.ContainsRune(path, 0):
			return "", "", fmt.Errorf("%q: the socket's path has a NUL byte", v)
		}
		return "unix", filepath.Clean(path), nil
	}
	if _, _, err := net.SplitHostPort(v); err != nil {
		return "", "", fmt.Errorf("%q is neither HOST:PORT nor unix:/absolute/path (%v)", v, err)
	}
	return "tcp", v, nil
}

// FormatHTTP is the --http value that reaches a listener at addr, as
// `warren healthcheck --http` takes it: HOST:PORT, or unix:PATH.
func FormatHTTP(addr net.Addr) string {
	if addr.Network() == "unix" {
		return httpUnixPrefix + addr.String()
	}
	return addr.String()
}
