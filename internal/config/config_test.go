package config

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(Config) (got, want any)
	}{
		{"default listen", nil, nil, func(c Config) (any, any) { return c.Listen, ":2222" }},
		{"env sets listen", nil, map[string]string{"WARREN_LISTEN": ":3333"}, func(c Config) (any, any) { return c.Listen, ":3333" }},
		{"flag wins over env", []string{"--listen", ":4444"}, map[string]string{"WARREN_LISTEN": ":3333"}, func(c Config) (any, any) { return c.Listen, ":4444" }},
		{"allow list", []string{"--allow", "alice, Bob,,carol"}, nil, func(c Config) (any, any) { return c.Allow, []string{"alice", "Bob", "carol"} }},
		{"command split like a shell", []string{"--command", `sh -c 'echo "hi there"'`}, nil, func(c Config) (any, any) { return c.Command, []string{"sh", "-c", `echo "hi there"`} }},
		{"command with POSIX escapes", []string{"--command", `bash -c "echo \$HOME \"q\" a\\b" 'it'\''s' x\ y`}, nil, func(c Config) (any, any) {
			return c.Command, []string{"bash", "-c", `echo $HOME "q" a\b`, "it's", "x y"}
		}},
		{"empty start args are explicit", []string{"--start-args", ""}, nil, func(c Config) (any, any) { return c.StartArgs != nil && len(c.StartArgs) == 0, true }},
		{"history size units", []string{"--history-bytes", "8MiB"}, nil, func(c Config) (any, any) { return c.HistoryBytes, int64(8 << 20) }},
		{"duration from env", nil, map[string]string{"WARREN_STOP_GRACE": "3s"}, func(c Config) (any, any) { return c.StopGrace, 3 * time.Second }},
		{"retention in days", []string{"--audit-retention", "30d"}, nil, func(c Config) (any, any) { return c.AuditRetention, 30 * 24 * time.Hour }},
		{"idle timeout in hours", []string{"--idle-timeout", "36h"}, nil, func(c Config) (any, any) { return c.IdleTimeout, 36 * time.Hour }},
		{"env list", nil, map[string]string{"WARREN_ENV": "ANTHROPIC_API_KEY,FOO"}, func(c Config) (any, any) { return c.Env, []string{"ANTHROPIC_API_KEY", "FOO"} }},
		{"trusted sources from env", nil, map[string]string{"WARREN_TRUSTED_SOURCES": "203.0.113.7, 10.0.0.0/8"}, func(c Config) (any, any) {
			return c.TrustedNets(), []netip.Prefix{netip.MustParsePrefix("203.0.113.7/32"), netip.MustParsePrefix("10.0.0.0/8")}
		}},
		{"no trusted sources by default", nil, nil, func(c Config) (any, any) { return len(c.TrustedNets()), 0 }},
		{"clone timeout default", nil, nil, func(c Config) (any, any) {
			return [2]time.Duration{c.CloneTimeout, c.CloneStall}, [2]time.Duration{10 * time.Minute, time.Minute}
		}},
		{"clone timeout from env", nil, map[string]string{"WARREN_CLONE_TIMEOUT": "30m", "WARREN_CLONE_STALL": "0"}, func(c Config) (any, any) {
			return [2]time.Duration{c.CloneTimeout, c.CloneStall}, [2]time.Duration{30 * time.Minute, 0}
		}},
		{"clone flags win", []string{"--clone-timeout", "5m", "--clone-stall", "20s"}, map[string]string{"WARREN_CLONE_TIMEOUT": "30m"}, func(c Config) (any, any) {
			return [2]time.Duration{c.CloneTimeout, c.CloneStall}, [2]time.Duration{5 * time.Minute, 20 * time.Second}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, env(tt.env), io.Discard)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got, want := tt.check(c)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v; want %#v", got, want)
			}
		})
	}
}

func TestLoadErrorsNameTheFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"--nope"}, nil, "nope"},
		{"bad login", []string{"--allow", "alice,../etc"}, nil, "--allow"},
		{"bad duration", []string{"--stop-grace", "soon"}, nil, "stop-grace"},
		{"bad env value names the variable", nil, map[string]string{"WARREN_HISTORY_BYTES": "lots"}, "WARREN_HISTORY_BYTES"},
		{"bad size policy", []string{"--size-policy", "biggest"}, nil, "--size-policy"},
		{"bad detach key", []string{"--detach-key", "ctrl-m"}, nil, "--detach-key"},
		{"tiny history", []string{"--history-bytes", "1"}, nil, "--history-bytes"},
		{"bad log format", []string{"--log-format", "xml"}, nil, "--log-format"},
		{"github url scheme", []string{"--github-url", "ftp://x"}, nil, "--github-url"},
		{"stray argument", []string{"extra"}, nil, "unexpected argument"},
		{"empty command", []string{"--command", ""}, nil, "--command"},
		{"unterminated quote", []string{"--command", `sh -c "echo`}, nil, "command"},
		{"bad days", []string{"--audit-retention", "ninety days"}, nil, "audit-retention"},
		{"tiny keepalive", []string{"--keepalive", "10ms"}, nil, "--keepalive"},
		{"empty uid range", []string{"--uid-range", ""}, nil, "--uid-range"},
		{"negative pids", []string{"--session-pids", "-1"}, nil, "--session-pids"},
		{"tiny nofile", []string{"--session-nofile", "3"}, nil, "--session-nofile"},
		{"tiny memory", []string{"--session-memory", "1MiB"}, nil, "--session-memory"},
		{"unknown sandbox", []string{"--sandbox", "docker"}, nil, "--sandbox"},
		{"bad bool env", nil, map[string]string{"WARREN_ALLOW_SHARED_UID": "perhaps"}, "WARREN_ALLOW_SHARED_UID"},
		{"bad trusted range", []string{"--trusted-sources", "10.0.0.0/8,office"}, nil, `--trusted-sources: "office" is not an address range`},
		{"bad trusted range from env", nil, map[string]string{"WARREN_TRUSTED_SOURCES": "10.1.2.3/8"}, `--trusted-sources: "10.1.2.3/8" has bits set past its /8; did you mean 10.0.0.0/8?`},
		{"zero clone timeout", []string{"--clone-timeout", "0"}, nil, "--clone-timeout"},
		{"tiny clone stall", []string{"--clone-stall", "10ms"}, nil, "--clone-stall"},
		{"tiny disk quota", []string{"--disk-quota", "4KiB"}, nil, "--disk-quota: 4096 is neither 0 nor at least 1MiB"},
		{"negative disk quota", []string{"--disk-quota", "-1"}, nil, "disk-quota"},
		{"tiny disk quota interval", []string{"--disk-quota-interval", "10ms"}, nil, "--disk-quota-interval"},
		{"bad disk quota from env", nil, map[string]string{"WARREN_DISK_QUOTA": "lots"}, "WARREN_DISK_QUOTA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.args, env(tt.env), io.Discard)
			if err == nil {
				t.Fatalf("Load succeeded; want an error mentioning %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q; want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out strings.Builder
	_, err := Load([]string{"--help"}, env(nil), &out)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("got %v; want ErrHelp", err)
	}
	for _, name := range FlagNames() {
		if !strings.Contains(out.String(), "--"+name) || !strings.Contains(out.String(), EnvName(name)) {
			t.Errorf("help does not describe --%s and %s", name, EnvName(name))
		}
	}
}

func TestSessionArgs(t *testing.T) {
	tests := []struct {
		name               string
		cfg                Config
		wantStart, wantRes []string
	}{
		{"claude gets pinned conversations", Config{Command: []string{"/usr/bin/claude"}}, []string{"--session-id", "{session}"}, []string{"--resume", "{session}"}},
		{"other programs get nothing", Config{Command: []string{"cat"}}, nil, nil},
		{"explicit args win", Config{Command: []string{"claude"}, StartArgs: []string{}, ResumeArgs: []string{"-c"}}, []string{}, []string{"-c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, res := tt.cfg.SessionArgs()
			if !reflect.DeepEqual(start, tt.wantStart) || !reflect.DeepEqual(res, tt.wantRes) {
				t.Errorf("got %q %q; want %q %q", start, res, tt.wantStart, tt.wantRes)
			}
		})
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64
		ok   bool
	}{
		{"plain", "65536", 65536, true},
		{"KiB", "512KiB", 512 << 10, true},
		{"M", "4M", 4 << 20, true},
		{"GiB", "1GiB", 1 << 30, true},
		{"negative", "-1", 0, false},
		{"words", "lots", 0, false},
		{"overflow", "99999999999GiB", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBytes(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseBytes(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestDetachByte(t *testing.T) {
	tests := []struct {
		in   string
		want byte
		ok   bool
	}{
		{`ctrl-\`, 0x1c, true}, {"ctrl-a", 0x01, true}, {"^]", 0x1d, true}, {"CTRL-B", 0x02, true},
		{"ctrl-m", 0, false}, {"alt-x", 0, false}, {"ctrl-", 0, false}, {"ctrl-1", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := DetachByte(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("DetachByte(%q) = %#x, %v; want %#x ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestIsolationFlagsFromEnv(t *testing.T) {
	c, err := Load(nil, env(map[string]string{
		"WARREN_ALLOW_SHARED_UID": "true",
		"WARREN_UID_RANGE":        "30000-30999",
		"WARREN_SESSION_MEMORY":   "2GiB",
		"WARREN_SANDBOX":          "bwrap",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.AllowSharedUID || c.UIDRange != "30000-30999" || c.SessionMemory != 2<<30 || c.Sandbox != "bwrap" {
		t.Errorf("got shared=%v range=%q memory=%d sandbox=%q", c.AllowSharedUID, c.UIDRange, c.SessionMemory, c.Sandbox)
	}
	if d := Default(); d.AllowSharedUID || d.UIDRange != "20000-29999" || d.SessionPids != 4096 || d.SessionNofile != 16384 {
		t.Errorf("defaults: %+v", d)
	}
}

// A command line that does not parse gives one line with a hint, and no
// usage: the flag list is for --help.
func TestParseErrorIsOneLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--no-such-flag"}, "flag provided but not defined: -no-such-flag; see warren serve --help"},
		{"missing value", []string{"--listen"}, "flag needs an argument: -listen; see warren serve --help"},
		{"stray argument", []string{"--listen", ":1", "extra"}, `unexpected argument "extra"; see warren serve --help`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			_, err := Load(tt.args, env(nil), &out)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v; want %q", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("got output %q; want none", out.String())
			}
		})
	}
}

func TestResolve(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		want Config
	}{
		{
			name: "defaults",
			cfg:  Config{DataDir: "./data"},
			want: Config{DataDir: filepath.Join(wd, "data"), HostKeysDir: filepath.Join(wd, "data", "hostkeys")},
		},
		{
			name: "every path",
			cfg:  Config{DataDir: "srv/../d", HostKeysDir: "hk", AllowFile: "allow", KeysFile: "/etc/keys"},
			want: Config{DataDir: filepath.Join(wd, "d"), HostKeysDir: filepath.Join(wd, "hk"), AllowFile: filepath.Join(wd, "allow"), KeysFile: "/etc/keys"},
		},
		{
			name: "absolute paths stay",
			cfg:  Config{DataDir: "/var/lib/warren", HostKeysDir: "/etc/warren/hostkeys"},
			want: Config{DataDir: "/var/lib/warren", HostKeysDir: "/etc/warren/hostkeys"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

// The host keys default to the data dir, never to the working directory,
// which may be a source tree.
func TestHostKeysDefaultUnderData(t *testing.T) {
	c, err := Load([]string{"--data", "/srv/warren"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HostKeysDir != "" {
		t.Errorf("got %q; want \"\" (under --data)", c.HostKeysDir)
	}
	if c, _ = c.Resolve(); c.HostKeysDir != "/srv/warren/hostkeys" {
		t.Errorf("got %q; want /srv/warren/hostkeys", c.HostKeysDir)
	}
}

// TestTrustedSourcesEachNamed: every bad item is named in an error of its
// own; the good ones are not.
func TestTrustedSourcesEachNamed(t *testing.T) {
	_, err := Load([]string{"--trusted-sources", "192.0.2.0/24,10.0.0.300/8,2001:db8::1/32,fe80::1%eth0,::/129"}, env(nil), io.Discard)
	if err == nil {
		t.Fatal("Load succeeded; want errors")
	}
	for _, want := range []string{
		`--trusted-sources: "10.0.0.300/8" is not an address range`,
		`--trusted-sources: "2001:db8::1/32" has bits set past its /32; did you mean 2001:db8::/32?`,
		`--trusted-sources: "fe80::1%eth0" has a zone`,
		`--trusted-sources: "::/129" is not an address range`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q; want it to say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "192.0.2.0/24") {
		t.Errorf("got %q; the good range should not be named", err)
	}
}

func TestParseTrusted(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" for an error
	}{
		{name: "ipv4 range", in: "203.0.113.0/24", want: "203.0.113.0/24"},
		{name: "ipv4 address", in: "203.0.113.7", want: "203.0.113.7/32"},
		{name: "ipv6 range", in: "2001:db8:aa::/48", want: "2001:db8:aa::/48"},
		{name: "ipv6 address", in: "2001:db8::7", want: "2001:db8::7/128"},
		{name: "everything", in: "0.0.0.0/0", want: "0.0.0.0/0"},
		{name: "host bits", in: "203.0.113.7/24"},
		{name: "length too long", in: "10.0.0.0/33"},
		{name: "not an address", in: "office"},
		{name: "hostname", in: "nat.example.com"},
		{name: "zone", in: "fe80::1%eth0"},
		{name: "empty", in: ""},
		{name: "spaces inside", in: "10.0.0.0 /8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseTrusted(tt.in)
			got := ""
			if err == nil {
				got = p.String()
			}
			if got != tt.want {
				t.Errorf("parseTrusted(%q): got %q (%v); want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// FuzzParseTrusted: parseTrusted never panics; what it accepts is a valid,
// masked range that parses back to itself, and what it refuses is named.
func FuzzParseTrusted(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "10.0.0.1", "2001:db8::/32", "::ffff:1.2.3.4/128", "1.2.3.4/8", "fe80::1%lo", "", "/", "::/0", "1.2.3.4/-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseTrusted(s)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Errorf("parseTrusted(%q): error %q does not name the item", s, err)
			}
			return
		}
		if !p.IsValid() || p.Masked() != p {
			t.Errorf("parseTrusted(%q) = %v: not a valid masked range", s, p)
		}
		again, err := parseTrusted(p.String())
		if err != nil || again != p {
			t.Errorf("round trip of %q: got %v, %v; want %v", s, again, err, p)
		}
	})
}
