// Command warren is an SSH server that gives every member of a team
// persistent Claude Code sessions, authenticated by their GitHub keys.
//
// It only wires: flags and environment into a config.Config, a logger,
// signals, and server.New → Run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/warren-ssh/warren/internal/config"
	"github.com/warren-ssh/warren/internal/isolation"
	"github.com/warren-ssh/warren/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

const usage = `warren: persistent Claude Code sessions over SSH, for teams.

Usage:
  warren serve [flags]    run the SSH server (warren serve --help lists the flags)
  warren healthcheck      probe the running server's /healthz; exit 0 when healthy
  warren version          print the version

Connect with: ssh -p 2222 LOGIN@HOST
`

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(args[1:], getenv, stdout, stderr)
	case isolation.ShimCommand:
		// Not for users: every session program starts through it.
		return isolation.Shim(args[1:], stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "warren %s\n", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "warren: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

func serve(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, code, ok := loadConfig(args, getenv, stdout, stderr)
	if !ok {
		return code
	}
	logger := newLogger(cfg, stderr)
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.New(ctx, server.Options{Config: cfg, Version: version, Logger: logger, Getenv: getenv})
	if err != nil {
		fmt.Fprintf(stderr, "warren: %v\n", oneLine(err))
		return 1
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	// The SIGHUP loop ends when the server's context does.
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := srv.Reload(); err != nil {
					logger.Error("reload on SIGHUP", "err", err)
				} else {
					logger.Info("reloaded on SIGHUP")
				}
			}
		}
	}()
	if err := srv.Run(ctx); err != nil {
		logger.Error("server failed", "err", err)
		return 1
	}
	return 0
}

// loadConfig loads the configuration; when it cannot be used (help was
// asked for, or something is wrong), ok is false and code is the exit code.
func loadConfig(args []string, getenv func(string) string, stdout, stderr io.Writer) (cfg config.Config, code int, ok bool) {
	cfg, err := config.Load(args, getenv, stdout)
	if errors.Is(err, config.ErrHelp) {
		return cfg, 0, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "warren: %v\n", oneLine(err))
		return cfg, 2, false
	}
	return cfg, 0, true
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// oneLine joins a multi-error (one line per bad field) for the terminal.
func oneLine(err error) string {
	s := err.Error()
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '\n' {
			out = append(out, ';', ' ')
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

const healthcheckUsage = `Usage: warren healthcheck [--http ADDR]

Ask the running server's /healthz; exit 0 when it is healthy, 1 when not
(Docker's HEALTHCHECK runs it).

Flags:
  --http ADDR   the server's --http address, HOST:PORT or unix:PATH
                (env WARREN_HTTP, default %s)
`

// healthcheck asks the server's /healthz, for Docker's HEALTHCHECK. It
// reads only --http (or WARREN_HTTP), as serve does.
func healthcheck(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("warren healthcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	addr := config.Default().HTTP
	if v := getenv(config.EnvName("http")); v != "" {
		addr = v
	}
	fs.StringVar(&addr, "http", addr, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, healthcheckUsage, config.Default().HTTP)
			return 0
		}
		fmt.Fprintf(stderr, "warren: %v; see warren healthcheck --help\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "warren: unexpected argument %q; see warren healthcheck --help\n", fs.Arg(0))
		return 2
	}
	if addr == "" {
		fmt.Fprintln(stderr, "warren: healthcheck needs --http")
		return 1
	}
	network, target, err := config.ParseHTTP(addr)
	if err != nil {
		fmt.Fprintf(stderr, "warren: --http: %v\n", err)
		return 1
	}
	url := "http://warren/healthz"
	transport := &http.Transport{}
	if network == "unix" {
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", target)
		}
	} else {
		host, port, _ := net.SplitHostPort(target)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		url = "http://" + net.JoinHostPort(host, port) + "/healthz"
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: transport}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintf(stderr, "warren: unhealthy: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "warren: unhealthy: %s %v\n", resp.Status, body["checks"])
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}
