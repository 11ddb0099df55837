package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/hostkeys"
	"github.com/warren-ssh/warren/internal/admission"
	"github.com/warren-ssh/warren/internal/auth"
	"github.com/warren-ssh/warren/internal/cgroup"
	"github.com/warren-ssh/warren/internal/commands"
	"github.com/warren-ssh/warren/internal/config"
	"github.com/warren-ssh/warren/internal/isolation"
	"github.com/warren-ssh/warren/internal/quota"
	"github.com/warren-ssh/warren/internal/session"
	"github.com/warren-ssh/warren/internal/store"
	"github.com/warren-ssh/warren/internal/workspace"
)

// Options are what New needs besides the configuration.
type Options struct {
	Config  config.Config
	Version string
	Logger  *slog.Logger
	// Getenv reads the server's environment (default os.Getenv).
	Getenv func(string) string
}

// Server is one running warren.
type Server struct {
	cfg     config.Config
	version string
	logger  *slog.Logger
	getenv  func(string) string
	started time.Time

	store      *store.Store
	auth       *auth.Authenticator
	gate       *admission.Gate
	hostKeys   []hostkeys.Key
	live       *liveConns
	db         *dbQueue
	audit      *auditLog
	sessions   *session.Manager
	workspaces *workspace.Manager
	accounts   *isolation.Accounts
	shim       string       // what every session starts through (isolation.Wrap)
	bwrap      string       // the bwrap binary with --sandbox bwrap
	cgroups    *cgroup.Tree // nil when cgroup limits are unavailable
	restored   restoredSet
	agents     *agentHub
	quota      *quota.Tracker // nil without --disk-quota
	stopping   atomic.Bool    // set when shutdown begins
	// pickerWarning is shown at the top of every picker; "" for none.
	pickerWarning string
	metrics       *metrics
	terms         *terminals
	router        *commands.Router

	ssh     *ssh.Server
	sshLn   net.Listener
	httpSrv *http.Server
	httpLn  net.Listener

	shutdownOnce sync.Once
}

// New checks everything it can before it writes anything (see
// preflight), then creates the data dir, loads or creates the host keys,
// opens the store, loads the allowlist and cached keys, and binds the
// listeners. It does no network I/O to GitHub. Every path of the
// configuration is made absolute first (config.Resolve).
func New(ctx context.Context, opts Options) (_ *Server, err error) {
	cfg := opts.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Whether --host-keys was given, before Resolve fills in its default:
	// see checkHostKeys.
	hostKeysGiven := cfg.HostKeysDir != ""
	if cfg, err = cfg.Resolve(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		version: opts.Version,
		logger:  opts.Logger,
		getenv:  opts.Getenv,
		started: time.Now(),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	startups, err := admission.ParseStartups(cfg.MaxStartups)
	if err != nil {
		return nil, fmt.Errorf("--max-startups: %w", err)
	}
	defer func() {
		if err != nil {
			s.closeAll()
		}
	}()
	authOpts, err := s.preflight(hostKeysGiven)
	if err != nil {
		return nil, err
	}
	cfg = s.cfg

	// Missing parents as mkdir -p makes them: sessions running as other
	// uids pass through them to their workspaces.
	if err := os.MkdirAll(filepath.Dir(cfg.DataDir), 0o755); err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	if err := os.Mkdir(cfg.DataDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("--data: %w", err)
	}
	if s.hostKeys == nil { // not the old default's keys, served in place
		if s.hostKeys, err = hostkeys.LoadOrCreate(cfg.HostKeysDir); err != nil {
			return nil, fmt.Errorf("--host-keys: %w", err)
		}
	}
	for _, k := range s.hostKeys {
		s.logger.Info("host key", "type", k.Type, "fingerprint", k.Fingerprint, "path", k.Path)
	}
	if s.store, err = store.Open(cfg.DatabasePath()); err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	s.metrics = newMetrics(func() float64 { return float64(s.live.len()) })
	s.db = newDBQueue(s.logger.With("component", "db"))
	s.audit = &auditLog{store: s.store, db: s.db}
	authOpts.Store, authOpts.Audit = s.store, s.audit
	if s.auth, err = auth.New(ctx, authOpts); err != nil {
		return nil, err
	}
	if authOpts.LocalLogin != "" {
		s.logLocalUser(authOpts.LocalLogin, authOpts.LocalKeyDir)
	}
	s.gate = admission.New(admission.Options{
		MaxStartups: startups,
		PerSource:   cfg.PerSourceStartups,
		Trusted:     cfg.TrustedNets(),
		Logger:      s.logger,
	})
	s.metrics.registry.MustRegister(newAdmissionCollector(s.gate))
	logTrusted(s.logger, cfg.TrustedNets())
	s.live = newLiveConns(cfg.MaxConnsPerLogin)
	s.terms = newTerminals()
	s.router = commands.NewRouter(s.commandList()...).WithLogger(s.logger)
	if err := s.setupIsolation(); err != nil {
		return nil, err
	}
	if s.workspaces, err = workspace.New(workspace.Options{
		Root:         cfg.WorkspacesDir(),
		HomeDir:      func(login string) string { return filepath.Join(cfg.HomesDir(), login) },
		Credential:   s.credential,
		Wrap:         s.wrapGit,
		Activity:     s.workspaceActivity,
		Logger:       s.logger,
		CloneTimeout: cfg.CloneTimeout,
		CloneStall:   cfg.CloneStall,
	}); err != nil {
		return nil, fmt.Errorf("workspaces: %w", err)
	}
	if err := s.setupQuota(); err != nil {
		return nil, fmt.Errorf("--disk-quota: %w", err)
	}
	s.agents = newAgentHub(filepath.Join(cfg.DataDir, "agents"), s.accounts.Mode() == isolation.Isolated, s.credential, s.logger.With("component", "agent"))
	sessOpts, err := s.sessionOptions()
	if err != nil {
		return nil, err
	}
	if s.sessions, err = session.NewManager(sessOpts); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	s.metrics.registry.MustRegister(newSessionCollector(s))

	if s.ssh, err = s.newSSHServer(); err != nil {
		return nil, err
	}
	if s.httpLn != nil {
		s.httpSrv = &http.Server{Handler: s.httpHandler(), ReadHeaderTimeout: 5 * time.Second}
	}
	return s, nil
}

// authOptions builds the authenticator's options, but for the store. With
// no allowlist at all, warren lets in the local user with their own public
// keys.
func (s *Server) authOptions() (auth.Options, error) {
	o := auth.Options{
		Allow:           s.cfg.Allow,
		AllowFile:       s.cfg.AllowFile,
		KeysFile:        s.cfg.KeysFile,
		GitHubURL:       s.cfg.GitHubURL,
		FetchTimeout:    s.cfg.FetchTimeout,
		RefreshInterval: s.cfg.KeyRefresh,
		Logger:          s.logger,
		OnFetch: func(outcome string, took time.Duration) {
			s.metrics.fetches.WithLabelValues(outcome).Observe(took.Seconds())
		},
	}
	if laptopMode(s.cfg) {
		user, keyDir := localUser(s.getenv)
		login, err := auth.NormalizeLogin(user)
		if err != nil {
			return o, fmt.Errorf("no --allow or --allow-file given, and the local user name cannot be a login (%w): pass --allow", err)
		}
		o.LocalLogin, o.LocalKeyDir = login, keyDir
		o.GitHubURL = ""
	}
	return o, nil
}

// Addr is the SSH listener's address.
func (s *Server) Addr() net.Addr { return s.sshLn.Addr() }

// HTTPAddr is the /healthz and /metrics listener's address, or nil.
func (s *Server) HTTPAddr() net.Addr {
	if s.httpLn == nil {
		return nil
	}
	return s.httpLn.Addr()
}

// Reload re-reads the allowlist and keys files (SIGHUP).
func (s *Server) Reload() error { return s.auth.Reload() }

// Run serves until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	// The database writer ends when runCtx is cancelled, after the SSH
	// server and the sessions stopped, so their last writes still land.
	wg.Go(func() { s.db.run(runCtx) })
	// The authenticator's background refresh and file watching end with runCtx.
	wg.Go(func() {
		if err := s.auth.Run(runCtx); err != nil {
			s.logger.Error("authenticator stopped", "err", err)
		}
	})
	// The revocation watcher ends with runCtx.
	wg.Go(func() { s.watchRevocations(runCtx) })
	// The periodic chores end with runCtx.
	wg.Go(func() { s.maintain(runCtx) })
	if s.quota != nil {
		// The disk usage measurements end with runCtx.
		wg.Go(func() { s.quota.Run(runCtx) })
	}
	if s.cfg.Keepalive > 0 {
		// The keepalive loop ends with runCtx.
		wg.Go(func() { s.keepalive(runCtx) })
	}

	errc := make(chan error, 2)
	// The SSH accept loop ends when the listener is closed by shutdown.
	wg.Go(func() {
		if err := s.ssh.Serve(s.sshLn); err != nil && !errors.Is(err, ssh.ErrServerClosed) && !s.stopping.Load() {
			errc <- fmt.Errorf("serve ssh: %w", err)
		}
	})
	if s.httpSrv != nil {
		// The HTTP accept loop ends when httpSrv is shut down.
		wg.Go(func() {
			if err := s.httpSrv.Serve(s.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve http: %w", err)
			}
		})
	}
	s.restoreSessions(ctx)
	s.logger.Info("warren listening", "ssh", s.sshLn.Addr().String(), "http", addrString(s.httpLn), "version", s.version)

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	s.shutdown()
	stop()
	wg.Wait()
	s.closeAll()
	s.logger.Info("warren stopped")
	return runErr
}

// shutdown stops accepting connections, stops every session (attached
// clients are told, rings flushed, programs get SIGHUP and, after
// --stop-grace, SIGKILL), then closes every connection and the HTTP
// listener. Sessions stay "running" in the store, to be restored on start.
func (s *Server) shutdown() {
	s.shutdownOnce.Do(func() {
		s.stopping.Store(true)
		s.logger.Info("shutting down")
		_ = s.sshLn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.StopGrace+5*time.Second)
		defer cancel()
		if err := s.sessions.Shutdown(ctx); err != nil {
			s.logger.Error("stop sessions", "err", err)
		}
		s.workspaces.Close() // no git status outlives the server
		s.tellAll("the server is shutting down; its sessions come back when it starts again")
		_ = s.ssh.Close()
		if s.httpSrv != nil {
			_ = s.httpSrv.Shutdown(ctx)
		}
	})
}

// closeAll releases what New opened; safe on a partly built Server.
func (s *Server) closeAll() {
	if s.sshLn != nil {
		_ = s.sshLn.Close()
	}
	if s.httpLn != nil {
		_ = s.httpLn.Close()
	}
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			s.logger.Error("close database", "err", err)
		}
	}
}

// addrString is l's address as --http takes it: HOST:PORT or unix:PATH.
func addrString(l net.Listener) string {
	if l == nil {
		return ""
	}
	return config.FormatHTTP(l.Addr())
}

// newSSHServer assembles the wish server: host keys, hardened transport,
// public-key-only authentication, pre-auth admission, the middleware chain.
func (s *Server) newSSHServer() (*ssh.Server, error) {
	var signers []ssh.Signer
	for _, k := range s.hostKeys {
		hs, err := hostSigner(k.Signer)
		if err != nil {
			return nil, err
		}
		signers = append(signers, hs)
	}
	srv, err := wish.NewServer(
		wish.WithVersion(serverVersion),
		wish.WithPublicKeyAuth(s.checkKey),
		wish.WithMiddleware(s.middleware()...),
		func(srv *ssh.Server) error {
			srv.HostSigners = signers
			srv.HandshakeTimeout = s.cfg.HandshakeTimeout
			srv.ConnCallback = s.admit
			srv.ServerConfigCallback = s.serverConfig
			srv.ConnectionFailedCallback = s.connectionFailed
			srv.PtyHandler = s.terms.record
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.limitedSessionHandler}
			return nil
		},
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	return srv, nil
}

// serverConfig gives each connection the hardened transport and a
// VerifiedPublicKeyCallback, which runs only after a signature was checked.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	cfg := baseConfig()
	cfg.VerifiedPublicKeyCallback = func(conn gossh.ConnMetadata, key gossh.PublicKey, perms *gossh.Permissions, _ string) (*gossh.Permissions, error) {
		// Defence in depth: the key must still belong to the login now. A
		// key the login takes by signing in with it (one its holder only
		// listed, or several logins listed at once) becomes its here.
		id, ok := s.auth.Verified(conn.User(), key)
		if !ok {
			return nil, fmt.Errorf("key no longer accepted for %q", conn.User())
		}
		if tc := trackedFromContext(ctx); tc != nil {
			if err := s.live.register(tc, id, key); err != nil {
				// Counted and logged as a refusal when the connection
				// ends, never as a failed authentication; the client is
				// told why, as a banner.
				tc.refuse("too_many_connections")
				return nil, &gossh.BannerError{Err: err, Message: fmt.Sprintf("warren: %s: %v\r\n", id.Login, err)}
			}
			tc.verified(time.Now())
		}
		login := id.Login
		s.logger.Info("login accepted", "login", login, "fingerprint", id.Fingerprint, "remote", conn.RemoteAddr().String())
		s.metrics.logins.WithLabelValues("accepted", "ok").Inc()
		_ = s.audit.AddEvent(ctx, store.Event{
			Kind: eventLoginAccepted, Login: login, Remote: conn.RemoteAddr().String(),
			Fingerprint: gossh.FingerprintSHA256(key),
		})
		return perms, nil
	}
	return cfg
}

// checkKey is the public-key callback. It runs for every key a client
// offers, signed or not, so it does no I/O and keeps no identity state: the
// authenticator answers from memory. It notes the offered fingerprint, and
// whether it was accepted, only for the audit record of a refused login.
func (s *Server) checkKey(ctx ssh.Context, key ssh.PublicKey) bool {
	ok := s.auth.CheckKey(ctx.User(), key)
	if tc := trackedFromContext(ctx); tc != nil {
		tc.offered(key, ok)
	}
	return ok
}
