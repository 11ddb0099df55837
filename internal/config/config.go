package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Config is everything `warren serve` can be told.
type Config struct {
	// Listen is the SSH listen address.
	Listen string
	// DataDir holds the database, history rings, workspaces and homes.
	DataDir string
	// HostKeysDir holds the SSH host keys, generated on first start; ""
	// means <DataDir>/hostkeys (see Resolve).
	HostKeysDir string
	// HTTP is the address of the /healthz and /metrics listener: HOST:PORT,
	// or unix:PATH for a socket (0600, in a directory of the server's own)
	// that no session can reach; "" disables it. See ParseHTTP.
	HTTP string

	// Allow lists GitHub logins allowed in, from --allow.
	Allow []string
	// AllowFile is a file with one login per line ("login admin" marks an
	// admin, # starts a comment), re-read when it changes and on SIGHUP.
	AllowFile string
	// GitHubURL is where keys are fetched: <GitHubURL>/<login>.keys.
	GitHubURL string
	// KeysFile holds authorized_keys lines whose comment is the login, for
	// offline use.
	KeysFile string
	// KeyRefresh is how often every allowlisted login's keys are re-fetched.
	KeyRefresh time.Duration
	// FetchTimeout bounds one GitHub key fetch.
	FetchTimeout time.Duration

	// HandshakeTimeout is the login grace time: key exchange and
	// authentication must finish within it.
	HandshakeTimeout time.Duration
	// MaxStartups caps unauthenticated connections, as OpenSSH's
	// start:rate:full. Its start is above PerSourceStartups so that one
	// flooding source alone never triggers the random early drop.
	MaxStartups string
	// PerSourceStartups caps unauthenticated connections from one source
	// address (IPv4 /32, IPv6 /64).
	PerSourceStartups int
	// MaxConnsPerLogin caps authenticated connections of one login.
	MaxConnsPerLogin int
	// TrustedSources are address ranges (CIDR, or single addresses) exempt
	// from the failed-login penalties and from PerSourceStartups, never
	// from MaxStartups: the team's own NAT address, say.
	TrustedSources []string

	// Command is the program each session runs, split like a shell would.
	Command []string
	// StartArgs are appended to Command for a new conversation, with
	// {session} replaced by the session ID. Nil means automatic: claude's
	// --session-id when the command is claude, nothing otherwise.
	StartArgs []string
	// ResumeArgs are appended to Command when a session is restored.
	// Nil means automatic, as for StartArgs.
	ResumeArgs []string
	// Env names server environment variables passed through to sessions.
	Env []string
	// DetachKey detaches a client from its session.
	DetachKey string
	// HistoryBytes is the in-memory history ring size per session.
	HistoryBytes int64
	// HistoryDisk caps the on-disk history of one session.
	HistoryDisk int64
	// AttachScrollback is the number of scrollback lines written before the
	// screen is painted on attach.
	AttachScrollback int
	// SizePolicy decides the size of a session with several clients:
	// "latest" or "smallest".
	SizePolicy string
	// StopGrace is how long a program gets between SIGHUP and SIGKILL.
	StopGrace time.Duration
	// MaxSessions caps running sessions per login.
	MaxSessions int
	// IdleTimeout stops a session nobody is attached to after this long
	// without output (its history is kept); 0 never does.
	IdleTimeout time.Duration
	// Keepalive is how often a silent client is probed; a connection whose
	// client misses three probes is closed (its sessions keep running).
	// 0 turns probing off.
	Keepalive time.Duration
	// AuditRetention is how long audit events are kept.
	AuditRetention time.Duration
	// CloneTimeout bounds a whole `git clone` into a new workspace.
	CloneTimeout time.Duration
	// CloneStall gives a clone up once git has reported nothing for this
	// long (a server that accepts and never answers); 0 never does.
	CloneStall time.Duration

	// UIDRange is where each login's own uid (and equal gid) comes from in
	// isolated mode, "LO-HI".
	UIDRange string
	// AllowSharedUID lets warren start with an allowlist when it cannot
	// switch uids, every session then running as the server's own user.
	AllowSharedUID bool
	// SessionPids caps the processes (threads included) of one login's
	// uid, all its sessions together (RLIMIT_NPROC, and the login's cgroup
	// pids.max where cgroups are available). 0: no limit.
	SessionPids int
	// SessionNofile caps open files per session process (RLIMIT_NOFILE).
	// 0: inherited.
	SessionNofile int
	// SessionMemory caps one login's memory through its cgroup, where a
	// writable cgroup v2 subtree is available. 0: no limit.
	SessionMemory int64
	// DiskQuota caps what one login's workspaces and HOME take on disk
	// (allocated blocks), checked in the background: a login over it
	// cannot start a session. 0: no quota, nothing measured.
	DiskQuota int64
	// DiskQuotaInterval is how often each login's usage is measured again
	// (after the last measurement ended).
	DiskQuotaInterval time.Duration
	// Sandbox is "" (none) or "bwrap": each session also runs inside
	// bubblewrap with only its own workspace and HOME writable.
	Sandbox string

	// LogFormat is "text" or "json".
	LogFormat string
	// LogLevel is "debug", "info", "warn" or "error".
	LogLevel string
}

// Default returns the configuration `warren serve` runs with when told nothing.
func Default() Config {
	return Config{
		Listen:            ":2222",
		DataDir:           "./data",
		HTTP:              "127.0.0.1:8080",
		GitHubURL:         "https://github.com",
		KeyRefresh:        15 * time.Minute,
		FetchTimeout:      5 * time.Second,
		HandshakeTimeout:  20 * time.Second,
		MaxStartups:       "30:30:100",
		PerSourceStartups: 10,
		MaxConnsPerLogin:  16,
		Command:           []string{"claude"},
		DetachKey:         `ctrl-\`,
		HistoryBytes:      4 << 20,
		HistoryDisk:       64 << 20,
		AttachScrollback:  1000,
		SizePolicy:        "latest",
		StopGrace:         10 * time.Second,
		MaxSessions:       8,
		Keepalive:         30 * time.Second,
		AuditRetention:    90 * 24 * time.Hour,
		CloneTimeout:      10 * time.Minute,
		CloneStall:        time.Minute,
		UIDRange:          "20000-29999",
		SessionPids:       4096,
		SessionNofile:     16384,
		DiskQuotaInterval: time.Minute,
		LogFormat:         "text",
		LogLevel:          "info",
	}
}

// ErrHelp is returned by Load when -h or --help was given; the usage has
// already been written.
var ErrHelp = flag.ErrHelp

// usageHint ends the error of a command line that does not parse.
const usageHint = "; see warren serve --help"

// Load builds a Config from the defaults, then the WARREN_* variables read
// through getenv, then args (flags after "serve"). It writes usage to out on
// --help. The result is validated.
func Load(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet("warren serve", flag.ContinueOnError)
	// The flag package's own messages and usage are silenced: help goes to
	// out, and an error is returned as one line for the caller to print.
	fs.SetOutput(io.Discard)
	fields := c.bind(fs)
	fs.Usage = func() {}

	// Environment first, so that flags parsed afterwards win.
	for _, f := range fields {
		v := getenv(f.env)
		if v == "" {
			continue
		}
		if err := fs.Set(f.name, v); err != nil {
			return Config{}, fmt.Errorf("%s: %w", f.env, err)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			Usage(out, fs)
			return Config{}, ErrHelp
		}
		return Config{}, fmt.Errorf("%w%s", err, usageHint)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q%s", fs.Arg(0), usageHint)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// field ties a flag to its environment twin for Load and Usage.
type field struct {
	name, env string
}

// EnvName returns the WARREN_* twin of a flag name.
func EnvName(flagName string) string {
	return "WARREN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// FlagNames lists every flag `warren serve` accepts, in declaration order.
func FlagNames() []string {
	c := Default()
	fs := flag.NewFlagSet("names", flag.ContinueOnError)
	var names []string
	for _, f := range c.bind(fs) {
		names = append(names, f.name)
	}
	return names
}

func (c *Config) bind(fs *flag.FlagSet) []field {
	var fields []field
	add := func(name string) { fields = append(fields, field{name, EnvName(name)}) }
	str := func(p *string, name, usage string) { fs.StringVar(p, name, *p, usage); add(name) }
	dur := func(p *time.Duration, name, usage string) { fs.DurationVar(p, name, *p, usage); add(name) }
	days := func(p *time.Duration, name, usage string) { fs.Var((*dayDuration)(p), name, usage); add(name) }
	num := func(p *int, name, usage string) { fs.IntVar(p, name, *p, usage); add(name) }
	size := func(p *int64, name, usage string) { fs.Var((*byteSize)(p), name, usage); add(name) }
	list := func(p *[]string, name, usage string) { fs.Var((*commaList)(p), name, usage); add(name) }
	argv := func(p *[]string, name, usage string) { fs.Var((*shellWords)(p), name, usage); add(name) }
	boolean := func(p *bool, name, usage string) { fs.BoolVar(p, name, *p, usage); add(name) }

	str(&c.Listen, "listen", "SSH listen address")
	str(&c.DataDir, "data", "data directory: database, history, workspaces, homes")
	str(&c.HostKeysDir, "host-keys", "host key directory, keys generated on first start (\"\": <data>/hostkeys)")
	str(&c.HTTP, "http", `/healthz and /metrics listen address: HOST:PORT (any local process, sessions included, can read it) or unix:PATH (the server's alone); "" disables`)
	list(&c.Allow, "allow", "comma-separated GitHub logins allowed in")
	str(&c.AllowFile, "allow-file", "file with one login per line ('login admin' marks an admin); re-read on change and SIGHUP")
	str(&c.GitHubURL, "github-url", "keys are fetched from <github-url>/<login>.keys")
	str(&c.KeysFile, "keys-file", "authorized_keys file with the login in each key's comment field (offline keys)")
	dur(&c.KeyRefresh, "key-refresh", "how often cached GitHub keys are refreshed")
	dur(&c.FetchTimeout, "fetch-timeout", "timeout of one GitHub key fetch")
	dur(&c.HandshakeTimeout, "login-grace", "time allowed for key exchange and authentication")
	str(&c.MaxStartups, "max-startups", "unauthenticated connections, start:rate:full as in OpenSSH")
	num(&c.PerSourceStartups, "per-source-startups", "unauthenticated connections from one source address")
	num(&c.MaxConnsPerLogin, "max-conns-per-login", "connections one login may hold at once")
	list(&c.TrustedSources, "trusted-sources", "comma-separated CIDR ranges exempt from failed-login penalties and the per-source cap (e.g. the team's NAT address)")
	argv(&c.Command, "command", "program each session runs (split like a shell would)")
	argv(&c.StartArgs, "start-args", "arguments for a new conversation; {session} is the session ID (default: claude's --session-id)")
	argv(&c.ResumeArgs, "resume-args", "arguments to restore a conversation; {session} is the session ID (default: claude's --resume)")
	list(&c.Env, "env", "comma-separated server environment variables passed to sessions (e.g. ANTHROPIC_API_KEY)")
	str(&c.DetachKey, "detach-key", `key that detaches from a session ("ctrl-\" or ctrl-a..ctrl-z, ctrl-], ctrl-^, ctrl-_")`)
	size(&c.HistoryBytes, "history-bytes", "in-memory history per session (e.g. 4MiB)")
	size(&c.HistoryDisk, "history-disk", "on-disk history cap per session (e.g. 64MiB)")
	num(&c.AttachScrollback, "attach-scrollback", "scrollback lines written to the client before the screen on attach")
	str(&c.SizePolicy, "size-policy", `whose window sizes a shared session: "latest" or "smallest"`)
	dur(&c.StopGrace, "stop-grace", "time between SIGHUP and SIGKILL when a session stops")
	num(&c.MaxSessions, "max-sessions", "running sessions per login")
	days(&c.IdleTimeout, "idle-timeout", "stop a detached session after this long without output, history kept (0: never)")
	dur(&c.Keepalive, "keepalive", "probe silent clients this often; three misses close the connection (0: off)")
	days(&c.AuditRetention, "audit-retention", "how long audit events are kept (e.g. 90d)")
	dur(&c.CloneTimeout, "clone-timeout", "time allowed for one git clone into a new workspace")
	dur(&c.CloneStall, "clone-stall", "give a clone up when git reports nothing for this long (0: never)")
	str(&c.UIDRange, "uid-range", "uids (and equal gids) given to logins, one each, in isolated mode: LO-HI")
	boolean(&c.AllowSharedUID, "allow-shared-uid", "start even when sessions cannot run as their login's own uid (single-user setups only)")
	num(&c.SessionPids, "session-pids", "processes and threads of one login, all sessions together (0: no limit)")
	num(&c.SessionNofile, "session-nofile", "open files per session process (0: inherited)")
	size(&c.SessionMemory, "session-memory", "memory of one login, through its cgroup where cgroup v2 is writable (0: no limit)")
	size(&c.DiskQuota, "disk-quota", "disk one login's workspaces and HOME may take, checked every --disk-quota-interval; over it, no new session (0: no quota)")
	dur(&c.DiskQuotaInterval, "disk-quota-interval", "how often each login's disk usage is measured again, with --disk-quota")
	str(&c.Sandbox, "sandbox", `extra confinement of each session: "" (none) or "bwrap" (bubblewrap)`)
	str(&c.LogFormat, "log-format", `log format: "text" or "json"`)
	str(&c.LogLevel, "log-level", `log level: "debug", "info", "warn" or "error"`)
	return fields
}

// Usage writes the help of `warren serve`.
func Usage(out io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(out, "Usage: warren serve [flags]\n\nRun the SSH server. Every flag has a WARREN_* environment twin; a flag wins over its variable.\n\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		def := f.DefValue
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(out, "  --%-20s %s\n  %-22s   (env %s, default %s)\n", f.Name, f.Usage, "", EnvName(f.Name), def)
	})
}

var loginPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate checks every field and returns one message per bad field.
func (c Config) Validate() error {
	var errs []error
	bad := func(flag, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s: %s", flag, fmt.Sprintf(format, args...)))
	}
	if c.Listen == "" {
		bad("listen", "must not be empty")
	}
	if c.DataDir == "" {
		bad("data", "must not be empty")
	}
	if c.HTTP != "" {
		if _, _, err := ParseHTTP(c.HTTP); err != nil {
			bad("http", "%v", err)
		}
	}
	for _, l := range c.Allow {
		if n := strings.ToLower(l); len(n) > 39 || !loginPattern.MatchString(n) {
			bad("allow", "%q is not a GitHub login", l)
		}
	}
	if c.GitHubURL != "" && !strings.HasPrefix(c.GitHubURL, "https://") && !strings.HasPrefix(c.GitHubURL, "http://") {
		bad("github-url", "%q is not an http(s) URL", c.GitHubURL)
	}
	if c.KeyRefresh < time.Second {
		bad("key-refresh", "%s is below the minimum of 1s", c.KeyRefresh)
	}
	if c.FetchTimeout <= 0 || c.FetchTimeout > time.Minute {
		bad("fetch-timeout", "%s is outside (0, 1m]", c.FetchTimeout)
	}
	if c.HandshakeTimeout <= 0 || c.HandshakeTimeout > 10*time.Minute {
		bad("login-grace", "%s is outside (0, 10m]", c.HandshakeTimeout)
	}
	if c.MaxStartups == "" {
		bad("max-startups", "must not be empty")
	}
	if c.PerSourceStartups < 1 {
		bad("per-source-startups", "must be at least 1")
	}
	if c.MaxConnsPerLogin < 1 {
		bad("max-conns-per-login", "must be at least 1")
	}
	for _, item := range c.TrustedSources {
		if _, err := parseTrusted(item); err != nil {
			bad("trusted-sources", "%v", err)
		}
	}
	if len(c.Command) == 0 {
		bad("command", "must name a program")
	}
	if _, err := DetachByte(c.DetachKey); err != nil {
		bad("detach-key", "%v", err)
	}
	if c.HistoryBytes < 64<<10 || c.HistoryBytes > 1<<30 {
		bad("history-bytes", "%d is outside [64KiB, 1GiB]", c.HistoryBytes)
	}
	if c.HistoryDisk < c.HistoryBytes {
		bad("history-disk", "must be at least --history-bytes")
	}
	if c.AttachScrollback < 0 || c.AttachScrollback > 100000 {
		bad("attach-scrollback", "%d is outside [0, 100000]", c.AttachScrollback)
	}
	if c.SizePolicy != "latest" && c.SizePolicy != "smallest" {
		bad("size-policy", "%q is neither \"latest\" nor \"smallest\"", c.SizePolicy)
	}
	if c.StopGrace < 0 || c.StopGrace > 10*time.Minute {
		bad("stop-grace", "%s is outside [0, 10m]", c.StopGrace)
	}
	if c.MaxSessions < 1 {
		bad("max-sessions", "must be at least 1")
	}
	if c.IdleTimeout < 0 {
		bad("idle-timeout", "must not be negative")
	}
	if c.Keepalive < 0 || (c.Keepalive > 0 && c.Keepalive < time.Second) {
		bad("keepalive", "%s is neither 0 nor at least 1s", c.Keepalive)
	}
	if c.AuditRetention < time.Hour {
		bad("audit-retention", "%s is below the minimum of 1h", c.AuditRetention)
	}
	if c.CloneTimeout < time.Second || c.CloneTimeout > 24*time.Hour {
		bad("clone-timeout", "%s is outside [1s, 24h]", c.CloneTimeout)
	}
	if c.CloneStall < 0 || (c.CloneStall > 0 && c.CloneStall < time.Second) {
		bad("clone-stall", "%s is neither 0 nor at least 1s", c.CloneStall)
	}
	if c.UIDRange == "" {
		bad("uid-range", "must not be empty")
	}
	if c.SessionPids < 0 {
		bad("session-pids", "must not be negative")
	}
	if c.SessionNofile < 0 || (c.SessionNofile > 0 && c.SessionNofile < 64) {
		bad("session-nofile", "%d is neither 0 nor at least 64", c.SessionNofile)
	}
	if c.SessionMemory < 0 || (c.SessionMemory > 0 && c.SessionMemory < 64<<20) {
		bad("session-memory", "%d is neither 0 nor at least 64MiB", c.SessionMemory)
	}
	if c.DiskQuota < 0 || (c.DiskQuota > 0 && c.DiskQuota < 1<<20) {
		bad("disk-quota", "%d is neither 0 nor at least 1MiB", c.DiskQuota)
	}
	if c.DiskQuotaInterval < time.Second || c.DiskQuotaInterval > 24*time.Hour {
		bad("disk-quota-interval", "%s is outside [1s, 24h]", c.DiskQuotaInterval)
	}
	if c.Sandbox != "" && c.Sandbox != "bwrap" {
		bad("sandbox", "%q is neither \"\" nor \"bwrap\"", c.Sandbox)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log-format", "%q is neither \"text\" nor \"json\"", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	return errors.Join(errs...)
}

// Resolve returns c with every path made absolute against the working
// directory, once, at start-up: sessions start in their workspaces, so a
// relative path would mean something else to them, and to anything that
// runs later. An empty HostKeysDir becomes <DataDir>/hostkeys.
func (c Config) Resolve() (Config, error) {
	paths := []struct {
		flag string
		p    *string
	}{
		{"data", &c.DataDir},
		{"host-keys", &c.HostKeysDir},
		{"allow-file", &c.AllowFile},
		{"keys-file", &c.KeysFile},
	}
	for _, f := range paths {
		if *f.p == "" {
			continue
		}
		abs, err := filepath.Abs(*f.p)
		if err != nil {
			return Config{}, fmt.Errorf("--%s: %w", f.flag, err)
		}
		*f.p = abs
	}
	if c.HostKeysDir == "" {
		c.HostKeysDir = c.DefaultHostKeysDir()
	}
	return c, nil
}

// DefaultHostKeysDir is where host keys are kept when --host-keys is not
// given: beside the rest of the server's state, never in the working
// directory (which may be a source tree).
func (c Config) DefaultHostKeysDir() string { return filepath.Join(c.DataDir, "hostkeys") }

// SessionArgs returns the start and resume arguments in force: the
// configured ones, or claude's when they were left automatic and the
// command is claude.
func (c Config) SessionArgs() (start, resume []string) {
	start, resume = c.StartArgs, c.ResumeArgs
	isClaude := len(c.Command) > 0 && filepath.Base(c.Command[0]) == "claude"
	if start == nil && isClaude {
		start = []string{"--session-id", "{session}"}
	}
	if resume == nil && isClaude {
		resume = []string{"--resume", "{session}"}
	}
	return start, resume
}

// HistoryDir, WorkspacesDir and HomesDir are the fixed places under DataDir.
func (c Config) HistoryDir() string    { return filepath.Join(c.DataDir, "history") }
func (c Config) WorkspacesDir() string { return filepath.Join(c.DataDir, "workspaces") }
func (c Config) HomesDir() string      { return filepath.Join(c.DataDir, "homes") }

// DatabasePath is the SQLite file under DataDir.
func (c Config) DatabasePath() string { return filepath.Join(c.DataDir, "warren.db") }
