package commands

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"
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
	// Flags describe the flags of Args for the command's help. A flag of
	// Args with no entry here is listed without a description.
	Flags []Flag
	Admin bool // only admins may run it and see it in help
	Run   func(ctx context.Context, env Env, args []string) error
}

// Flag is one flag of a command, for its help.
type Flag struct {
	Name  string // without dashes: "clone"
	Arg   string // what the flag takes ("URL"); "" for a switch
	Usage string
}

// Router dispatches a command line to its Command.
type Router struct {
	cmds map[string]Command
	log  *slog.Logger
}

// NewRouter returns a router with the given commands and a `help` command.
func NewRouter(cmds ...Command) *Router {
	r := &Router{cmds: make(map[string]Command, len(cmds)+1), log: slog.New(slog.DiscardHandler)}
	for _, c := range cmds {
		r.cmds[c.Name] = c
	}
	r.cmds["help"] = Command{
		Name:    "help",
		Args:    "[COMMAND]",
		Summary: "list the commands, or show one command's usage and flags (also: COMMAND -h)",
		Run:     r.help,
	}
	return r
}

// WithLogger makes r log every failed command, with the whole error behind
// the line the user sees, to l; it returns r.
func (r *Router) WithLogger(l *slog.Logger) *Router {
	if l != nil {
		r.log = l.With("component", "commands")
	}
	return r
}

// Run runs argv and returns the exit code. Errors are written to env.Stderr
// as one line. -h, -help or --help among the arguments (before "--")
// prints the command's help instead of running it.
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
	if wantsHelp(argv[1:]) {
		if err := writeCommandHelp(stdout(env), c); err != nil {
			return ExitFailure
		}
		return ExitOK
	}
	if err := c.Run(ctx, env, argv[1:]); err != nil {
		code := ExitCode(err)
		var exit *ExitError
		if errors.As(err, &exit) {
			return code
		}
		r.logFailure(env, c.Name, code, err)
		msg := fmt.Sprintf("%s: %s", c.Name, oneLine(userMessage(err)))
		if code == ExitUsage {
			msg += fmt.Sprintf("\nusage: %s", usageLine(c))
		}
		return r.fail(env, code, msg)
	}
	return ExitOK
}

// logFailure logs a failed command with the whole of err: at error level
// for a failure of the server, at debug level for what the user got wrong
// (told to the user already), at warn level for the rest.
func (r *Router) logFailure(env Env, name string, code int, err error) {
	level := slog.LevelWarn
	var um userMessager
	switch {
	case code == ExitServer:
		level = slog.LevelError
	case code == ExitUsage, errors.As(err, &um), errors.Is(err, ErrNotFound), errors.Is(err, ErrPermission):
		level = slog.LevelDebug
	}
	r.log.Log(context.Background(), level, "command failed",
		"command", name, "login", env.Identity.Login, "exit", code, "err", oneLine(err.Error()))
}

// wantsHelp reports whether args ask for help: -h, -help or --help before
// a "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

func (r *Router) fail(env Env, code int, msg string) int {
	nl := "\n"
	if env.PTY {
		nl = "\r\n"
	}
	fmt.Fprint(env.Stderr, "warren: "+strings.ReplaceAll(msg, "\n", nl)+nl)
	return code
}

// help lists the commands the caller may run, or shows one command's help.
func (r *Router) help(_ context.Context, env Env, args []string) error {
	switch len(args) {
	case 0:
	case 1:
		c, ok := r.cmds[args[0]]
		if !ok {
			return &UserError{Msg: fmt.Sprintf("unknown command %q; try: help", clip(args[0]))}
		}
		if c.Admin && !env.Identity.Admin {
			return fmt.Errorf("%s: %w: admins only", c.Name, ErrPermission)
		}
		return writeCommandHelp(stdout(env), c)
	default:
		return Usagef("help takes at most one command")
	}
	var list []Command
	for _, c := range r.cmds {
		if !c.Admin || env.Identity.Admin {
			list = append(list, c)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return writeCommandList(stdout(env), list)
}

// Layout of help's list: usages in one column, summaries in the next,
// within helpWidth columns. A usage wider than maxUsageCol puts its
// summary on the next line; a long summary wraps under itself.
const (
	helpWidth   = 80
	maxUsageCol = 26
	helpGap     = 2
)

// writeCommandList writes one usage and summary per command, aligned by
// display width (not bytes: usages and summaries may hold multi-byte
// characters).
func writeCommandList(w io.Writer, list []Command) error {
	col := 0
	for _, c := range list {
		if uw := ansi.StringWidth(usageLine(c)); uw <= maxUsageCol {
			col = max(col, uw)
		}
	}
	col += helpGap
	b := bufio.NewWriter(w)
	indent := strings.Repeat(" ", col)
	for _, c := range list {
		u := usageLine(c)
		lines := wrap(c.Summary, helpWidth-col)
		if uw := ansi.StringWidth(u); uw <= col-helpGap {
			b.WriteString(u + strings.Repeat(" ", col-uw))
		} else {
			b.WriteString(u + "\n" + indent)
		}
		b.WriteString(strings.Join(lines, "\n"+indent) + "\n")
	}
	return b.Flush()
}

// writeCommandHelp writes c's usage, summary and flags.
func writeCommandHelp(w io.Writer, c Command) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "usage: %s\n\n", usageLine(c))
	for _, l := range wrap(c.Summary, helpWidth) {
		b.WriteString(l + "\n")
	}
	flags := commandFlags(c)
	if len(flags) > 0 {
		b.WriteString("\nflags:\n")
		col := 0
		for _, f := range flags {
			col = max(col, ansi.StringWidth(flagSyntax(f)))
		}
		col += 2 + helpGap
		indent := strings.Repeat(" ", col)
		for _, f := range flags {
			s := "  " + flagSyntax(f)
			if f.Usage == "" {
				b.WriteString(s + "\n")
				continue
			}
			b.WriteString(s + strings.Repeat(" ", col-ansi.StringWidth(s)))
			b.WriteString(strings.Join(wrap(f.Usage, max(20, helpWidth-col)), "\n"+indent) + "\n")
		}
	}
	return b.Flush()
}

func usageLine(c Command) string { return strings.TrimSpace(c.Name + " " + c.Args) }

func flagSyntax(f Flag) string {
	if f.Arg == "" {
		return "--" + f.Name
	}
	return "--" + f.Name + " " + f.Arg
}

// argsFlag finds the flags in a usage: "--lines N", "--raw".
var argsFlag = regexp.MustCompile(`--([a-z][a-z0-9-]*)(?: ([A-Z][A-Z0-9_]*))?`)

// commandFlags is c's flags: those of its Args in their order, with their
// descriptions from c.Flags, then any of c.Flags that Args does not show.
func commandFlags(c Command) []Flag {
	var out []Flag
	seen := map[string]bool{}
	for _, m := range argsFlag.FindAllStringSubmatch(c.Args, -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		f := Flag{Name: m[1], Arg: m[2]}
		for _, d := range c.Flags {
			if d.Name == f.Name {
				f = d
			}
		}
		out = append(out, f)
	}
	for _, d := range c.Flags {
		if !seen[d.Name] {
			out = append(out, d)
		}
	}
	return out
}

// wrap breaks s into lines of at most width columns at spaces; a word
// wider than width gets a line of its own.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
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
