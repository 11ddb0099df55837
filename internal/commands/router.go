package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Identity is the verified caller of a command.
type Identity struct {
	Login       string
	Admin       bool
	Fingerprint string // SHA256 fingerprint of the key that authenticated
}

// Env is what one command invocation gets.
type Env struct {
	Identity Identity
	Stdout   io.Writer
	Stderr   io.Writer
	// PTY reports whether the client asked for a terminal (ssh -t).
	PTY bool
	// Terminal attaches the caller's terminal to a session; nil when the
	// client asked for no terminal.
	Terminal Terminal
}

// Terminal is the caller's terminal, as the server offers it to commands.
type Terminal interface {
	// Attach attaches to the session of workspace, creating the workspace
	// and starting its program if needed, until the user detaches, the
	// connection drops or the program ends. It returns the exit status the
	// command should end with.
	Attach(ctx context.Context, workspace string) (int, error)
}

// Command is one SSH command.
type Command struct {
	Name    string
	Args    string // usage of the arguments, e.g. "NAME [--lines N]"
	Summary string
	Admin   bool // only admins may run it and see it in help
	Run     func(ctx context.Context, env Env, args []string) error
}

// Router dispatches a command line to its Command.
type Router struct {
	cmds map[string]Command
}

// NewRouter returns a router with the given commands and a `help` command.
func NewRouter(cmds ...Command) *Router {
	r := &Router{cmds: make(map[string]Command, len(cmds)+1)}
	for _, c := range cmds {
		r.cmds[c.Name] = c
	}
	r.cmds["help"] = Command{Name: "help", Summary: "list the commands", Run: r.help}
	return r
}

// Run runs argv and returns the exit code. Errors are written to env.Stderr
// as one line.
func (r *Router) Run(ctx context.Context, env Env, argv []string) int {
	if len(argv) == 0 {
		return r.fail(env, ExitUsage, "no command given; try: help")
	}
	c, ok := r.cmds[argv[0]]
	if !ok {
		return r.fail(env, ExitUnknown, fmt.Sprintf("unknown command %q; try: help", clip(argv[0])))
	}
	if c.Admin && !env.Identity.Admin {
		return r.fail(env, ExitFailure, fmt.Sprintf("%s: %v: admins only", c.Name, ErrPermission))
	}
	if err := c.Run(ctx, env, argv[1:]); err != nil {
		code := ExitCode(err)
		var exit *ExitError
		if errors.As(err, &exit) {
			return code
		}
		msg := fmt.Sprintf("%s: %s", c.Name, oneLine(err.Error()))
		if code == ExitUsage {
			msg += fmt.Sprintf("\nusage: %s %s", c.Name, c.Args)
		}
		return r.fail(env, code, msg)
	}
	return ExitOK
}

func (r *Router) fail(env Env, code int, msg string) int {
	nl := "\n"
	if env.PTY {
		nl = "\r\n"
	}
	fmt.Fprint(env.Stderr, "warren: "+strings.ReplaceAll(msg, "\n", nl)+nl)
	return code
}

func (r *Router) help(_ context.Context, env Env, args []string) error {
	if len(args) > 0 {
		return Usagef("help takes no arguments")
	}
	names := make([]string, 0, len(r.cmds))
	for n, c := range r.cmds {
		if !c.Admin || env.Identity.Admin {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		c := r.cmds[n]
		fmt.Fprintf(env.Stdout, "%-28s %s\n", strings.TrimSpace(c.Name+" "+c.Args), c.Summary)
	}
	return nil
}

// clip keeps hostile input short and printable in messages.
func clip(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return s
}

// Has reports whether name is a command of r.
func (r *Router) Has(name string) bool {
	_, ok := r.cmds[name]
	return ok
}
