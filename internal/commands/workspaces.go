package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Workspace and session states, as ls shows them.
const (
	StateRunning  = "running"  // the program runs and clients are attached
	StateDetached = "detached" // the program runs with no client attached
	StateExited   = "exited"   // the program ended by itself (see ExitCode)
	StateRestored = "restored" // restarted from its record after a server restart
	StateStopped  = "stopped"  // stopped by its user or an admin
	StateFailed   = "failed"   // the program could not start (see ExitCode and Error)
	StateNone     = "none"     // the workspace has no session yet
)

// WorkspaceInfo is one of a login's workspaces and its session.
type WorkspaceInfo struct {
	Name         string
	State        string // one of the State constants
	Clients      int    // attached clients
	ExitCode     int    // the program's exit code when State is exited or failed
	SessionID    string // the conversation's UUID; empty with no session
	LastActivity time.Time
	Branch       string // the checked-out git branch; empty when none
	Dirty        bool   // the git work tree has changes
	Error        string // why the program could not start, when State is failed
}

// Workspaces is what the workspace commands need. Errors are shown to the
// user after "COMMAND NAME: ", so they need not repeat the name; a missing
// workspace is an error wrapping ErrNotFound.
type Workspaces interface {
	// List returns login's workspaces, in any order.
	List(ctx context.Context, login string) ([]WorkspaceInfo, error)
	// Create creates an empty workspace and returns its name as made
	// (names are case-folded: "MyProj" makes "myproj").
	Create(ctx context.Context, login, name string) (string, error)
	// Clone creates a workspace by cloning url into it, writing the
	// clone's progress to progress, and returns its name as made.
	Clone(ctx context.Context, login, name, url string, progress io.Writer) (string, error)
	// NameFromURL suggests a workspace name for a clone URL, the one the
	// picker suggests too; "" when the URL holds none.
	NameFromURL(url string) string
	// Delete stops the session and removes the workspace's directory and
	// history.
	Delete(ctx context.Context, login, name string) error
	// Stop stops the session and keeps everything else; ErrNotFound when
	// there is no session.
	Stop(ctx context.Context, login, name string) error
}

// lsRecord is one workspace in ls --json.
type lsRecord struct {
	Name         string   `json:"name"`
	State        string   `json:"state"`
	Clients      int      `json:"clients"`
	ExitCode     int      `json:"exit_code"`
	SessionID    string   `json:"session_id"`
	LastActivity jsonTime `json:"last_activity"`
	Branch       string   `json:"branch"`
	Dirty        bool     `json:"dirty"`
	Error        string   `json:"error"`
}

// codeField is the exit code column of ls and sessions: the code of a
// session that exited or failed, else "-".
func codeField(state string, code int) string {
	if state != StateExited && state != StateFailed {
		return "-"
	}
	return strconv.Itoa(code)
}

// Ls lists the caller's workspaces and their sessions, sorted by name. Text
// fields: name, state, clients, last activity, session id, branch (with a
// trailing "*" when the work tree is dirty), exit code (of a session that
// exited or failed, else "-"). --json adds why a failed session could not
// start.
func Ls(ws Workspaces) Command {
	return Command{
		Name:    "ls",
		Args:    "[--json]",
		Summary: "list your workspaces and sessions: name, state, clients, last activity, session, branch, exit code",
		Flags:   []Flag{jsonFlag},
		Run: func(ctx context.Context, env Env, args []string) error {
			asJSON, err := jsonOnly(args, "ls")
			if err != nil {
				return err
			}
			list, err := ws.List(ctx, env.Identity.Login)
			if err != nil {
				return serverFailure("could not list your workspaces", err)
			}
			sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
			if asJSON {
				recs := make([]lsRecord, 0, len(list))
				for _, w := range list {
					recs = append(recs, lsRecord{
						Name: w.Name, State: w.State, Clients: w.Clients, ExitCode: w.ExitCode,
						SessionID: w.SessionID, LastActivity: jsonTime(w.LastActivity),
						Branch: w.Branch, Dirty: w.Dirty, Error: w.Error,
					})
				}
				return writeJSON(stdout(env), recs)
			}
			t := newTable(stdout(env))
			for _, w := range list {
				branch := field(w.Branch)
				if w.Dirty && w.Branch != "" {
					branch += "*"
				}
				t.row(w.Name, w.State, strconv.Itoa(w.Clients), textTime(w.LastActivity), w.SessionID, branch, codeField(w.State, w.ExitCode))
			}
			return t.flush()
		},
	}
}

// New creates a workspace, empty or cloned from a repository, and prints
// the name it made: names are case-folded, and with --clone and no NAME
// the workspace is named after the repository.
func New(ws Workspaces) Command {
	return Command{
		Name:    "new",
		Args:    "[NAME] [--clone URL]",
		Summary: "create workspace NAME, empty or cloned from URL (progress on stderr), and print its name",
		Flags: []Flag{{Name: "clone", Arg: "URL", Usage: "clone the git repository at URL (https://, ssh://, git:// or user@host:path) " +
			"into the workspace; without NAME, the workspace is named after the repository"}},
		Run: func(ctx context.Context, env Env, args []string) error {
			fs := newFlags("new")
			url := fs.String("clone", "", "")
			pos, err := parseArgs(fs, args)
			if err != nil {
				return err
			}
			cloning := isFlagSet(fs, "clone")
			if len(pos) > 1 || len(pos) == 1 && pos[0] == "" || len(pos) == 0 && !cloning {
				return Usagef("new takes one workspace name")
			}
			login := env.Identity.Login
			var name, made string
			if len(pos) == 1 {
				name = pos[0]
			}
			if !cloning {
				made, err = ws.Create(ctx, login, name)
				if err != nil {
					return named(name, serverFailure("could not create "+quote(name), err))
				}
				return printMade(env, "new", name, made)
			}
			if err := checkCloneURL(*url); err != nil {
				return err
			}
			if name == "" {
				if name = ws.NameFromURL(*url); name == "" {
					return &UserError{Msg: fmt.Sprintf("no workspace name in %s; give one: new NAME --clone URL", quote(*url))}
				}
			}
			lines := &lineEnder{w: stderr(env)}
			made, err = ws.Clone(ctx, login, name, *url, newCleanWriter(lines))
			if lerr := lines.endLine(); lerr != nil && err == nil {
				return lerr
			}
			if err != nil {
				return named(name, serverFailure("could not clone into "+quote(name), err))
			}
			return printMade(env, "new", name, made)
		},
	}
}

// lineEnder passes writes on and can end the line they left open, such as
// git's last progress line, which ends with "\r", so that a message that
// follows starts a line of its own. It is safe for concurrent use.
type lineEnder struct {
	w  io.Writer
	mu sync.Mutex
	// mu guards the following.
	last byte // the last byte written, 0 before any
}

func (l *lineEnder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	if n > 0 {
		l.last = p[n-1]
	}
	return n, err
}

func (l *lineEnder) endLine() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == 0 || l.last == '\n' {
		return nil
	}
	l.last = '\n'
	_, err := l.w.Write([]byte("\n"))
	return err
}

// printMade prints the name of the workspace made, and notes on stderr
// when it differs from the name asked for.
func printMade(env Env, cmd, asked, made string) error {
	if made != asked && strings.EqualFold(made, asked) {
		if _, err := fmt.Fprintf(stderr(env), "warren: %s: workspace names are lower case: created %s\n", cmd, field(made)); err != nil {
			return err
		}
	}
	t := newTable(stdout(env))
	t.row(made)
	return t.flush()
}

// Stop stops a workspace's session and keeps the workspace.
func Stop(ws Workspaces) Command {
	return Command{
		Name:    "stop",
		Args:    "NAME",
		Summary: "stop NAME's session; the workspace and its history stay",
		Run: func(ctx context.Context, env Env, args []string) error {
			name, err := oneName(newFlags("stop"), args, "stop")
			if err != nil {
				return err
			}
			return named(name, serverFailure("could not stop "+quote(name), ws.Stop(ctx, env.Identity.Login, name)))
		},
	}
}

// Rm deletes a workspace, its session and its history. It needs --yes:
// commands cannot ask for a confirmation.
func Rm(ws Workspaces) Command {
	return Command{
		Name:    "rm",
		Args:    "NAME --yes",
		Summary: "delete workspace NAME with its session and history",
		Flags:   []Flag{{Name: "yes", Usage: "delete it: commands cannot ask for a confirmation"}},
		Run: func(ctx context.Context, env Env, args []string) error {
			fs := newFlags("rm")
			yes := fs.Bool("yes", false, "")
			name, err := oneName(fs, args, "rm")
			if err != nil {
				return err
			}
			if !*yes {
				return Usagef("rm deletes %s and its history; pass --yes", quote(name))
			}
			return named(name, serverFailure("could not delete "+quote(name), ws.Delete(ctx, env.Identity.Login, name)))
		},
	}
}

// oneName parses args into fs and returns the one positional argument.
func oneName(fs *flag.FlagSet, args []string, cmd string) (string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 || pos[0] == "" {
		return "", Usagef("%s takes one workspace name", cmd)
	}
	return pos[0], nil
}

// named prefixes err with the workspace name; a not-found error becomes
// just "NAME: not found", whatever detail it carried. (An error with a
// message for the user shows that message, which names what it is about.)
func named(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("%s: %w", quote(name), ErrNotFound)
	default:
		return fmt.Errorf("%s: %w", quote(name), err)
	}
}

// checkCloneURL accepts the URL forms git fetches over the network:
// https://, http://, ssh://, git:// and scp-like user@host:path. It refuses
// local paths, file:// and git's ext:: and fd:: transports, and anything
// git could take for an option.
func checkCloneURL(u string) error {
	bad := Usagef("--clone takes an https://, ssh://, git:// or user@host:path URL, not %q", quote(u))
	if u == "" || strings.HasPrefix(u, "-") || strings.ContainsAny(u, " \t\r\n\x00") {
		return bad
	}
	for _, p := range []string{"https://", "http://", "ssh://", "git://"} {
		if strings.HasPrefix(strings.ToLower(u), p) && len(u) > len(p) {
			return nil
		}
	}
	// scp-like: user@host:path, with no "::" (transport) and no "/" before ':'.
	at, colon := strings.IndexByte(u, '@'), strings.IndexByte(u, ':')
	if at > 0 && colon > at+1 && colon < len(u)-1 && !strings.Contains(u, "::") && !strings.Contains(u[:colon], "/") {
		return nil
	}
	return bad
}

// jsonFlag is the --json of the listing commands.
var jsonFlag = Flag{Name: "json", Usage: "print one JSON value instead of tab-separated lines"}
