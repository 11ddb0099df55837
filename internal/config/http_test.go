package config

import (
	"io"
	"net"
	"strings"
	"testing"
)

func TestParseHTTP(t *testing.T) {
	tests := []struct {
		name, in       string
		network, addr  string
		wantErrContain string
	}{
		{name: "loopback", in: "127.0.0.1:8080", network: "tcp", addr: "127.0.0.1:8080"},
		{name: "any port", in: "127.0.0.1:0", network: "tcp", addr: "127.0.0.1:0"},
		{name: "all interfaces", in: ":8080", network: "tcp", addr: ":8080"},
		{name: "ipv6", in: "[::1]:8080", network: "tcp", addr: "[::1]:8080"},
		{name: "unix", in: "unix:/run/warren/http.sock", network: "unix", addr: "/run/warren/http.sock"},
		{name: "unix cleaned", in: "unix:/run//warren/../warren/http.sock", network: "unix", addr: "/run/warren/http.sock"},
		{name: "unix relative", in: "unix:http.sock", wantErrContain: "must be absolute"},
		{name: "unix dot relative", in: "unix:./run/http.sock", wantErrContain: "must be absolute"},
		{name: "unix empty", in: "unix:", wantErrContain: "names no socket"},
		{name: "unix too long", in: "unix:/" + strings.Repeat("a", 120), wantErrContain: "longer than 107 bytes"},
		{name: "unix nul", in: "unix:/run/a\x00b", wantErrContain: "NUL"},
		{name: "no port", in: "localhost", wantErrContain: "neither HOST:PORT nor unix:"},
		{name: "path without unix", in: "/run/warren/http.sock", wantErrContain: "neither HOST:PORT nor unix:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			network, addr, err := ParseHTTP(tt.in)
			if tt.wantErrContain != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrContain) {
					t.Fatalf("ParseHTTP(%q) error = %v; want one containing %q", tt.in, err, tt.wantErrContain)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHTTP(%q): %v", tt.in, err)
			}
			if network != tt.network || addr != tt.addr {
				t.Errorf("ParseHTTP(%q) = %q, %q; want %q, %q", tt.in, network, addr, tt.network, tt.addr)
			}
		})
	}
}

func TestHTTPFlagValidated(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"relative socket", []string{"--http", "unix:http.sock"}, nil, `--http: "unix:http.sock": the socket's path must be absolute`},
		{"relative socket from env", nil, map[string]string{"WARREN_HTTP": "unix:run/http.sock"}, "--http: "},
		{"no port", []string{"--http", "localhost"}, nil, "--http: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.args, env(tt.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v; want one containing %q", err, tt.want)
			}
		})
	}
	for _, ok := range []string{"", "unix:/run/warren/http.sock", "127.0.0.1:9090"} {
		if _, err := Load([]string{"--http", ok}, env(nil), io.Discard); err != nil {
			t.Errorf("--http %q: %v", ok, err)
		}
	}
}

func TestFormatHTTPRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		addr net.Addr
		want string
	}{
		{"tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "127.0.0.1:8080"},
		{"unix", &net.UnixAddr{Name: "/run/warren/http.sock", Net: "unix"}, "unix:/run/warren/http.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FormatHTTP(tt.addr)
			if got != tt.want {
				t.Fatalf("FormatHTTP = %q; want %q", got, tt.want)
			}
			network, addr, err := ParseHTTP(got)
			if err != nil || network != tt.addr.Network() || addr != tt.addr.String() {
				t.Errorf("ParseHTTP(%q) = %q, %q, %v; want %q, %q", got, network, addr, err, tt.addr.Network(), tt.addr.String())
			}
		})
	}
}

func FuzzParseHTTP(f *testing.F) {
	for _, s := range []string{"127.0.0.1:8080", "unix:/run/http.sock", "unix:rel", "unix:", ":0", "[::1]:1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		network, addr, err := ParseHTTP(s)
		if err != nil {
			return
		}
		switch network {
		case "unix":
			if !strings.HasPrefix(addr, "/") || len(addr) > maxSocketPath || strings.ContainsRune(addr, 0) {
				t.Fatalf("ParseHTTP(%q) accepted socket path %q", s, addr)
			}
		case "tcp":
			if _, _, err := net.SplitHostPort(addr); err != nil {
				t.Fatalf("ParseHTTP(%q) accepted %q: %v", s, addr, err)
			}
		default:
			t.Fatalf("ParseHTTP(%q) network %q", s, network)
		}
	})
}
