package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func run(t *testing.T, r *Router, id Identity, pty bool, argv ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = r.Run(context.Background(), Env{Identity: id, Stdout: &out, Stderr: &errb, PTY: pty}, argv)
	return code, out.String(), errb.String()
}

func TestRouter(t *testing.T) {
	admin := Command{Name: "users", Summary: "list users", Admin: true, Run: func(context.Context, Env, []string) error { return nil }}
	broken := Command{Name: "broken", Run: func(context.Context, Env, []string) error { return errors.New("disk on fire") }}
	r := NewRouter(Whoami(), admin, broken)
	alice := Identity{Login: "alice", Fingerprint: "SHA256:abc"}
	root := Identity{Login: "root-user", Admin: true, Fingerprint: "SHA256:def"}

	tests := []struct {
		name       string
		id         Identity
		pty        bool
		argv       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"whoami", alice, false, []string{"whoami"}, 0, "alice\tSHA256:abc\tuser\n", ""},
		{"whoami admin", root, false, []string{"whoami"}, 0, "root-user\tSHA256:def\tadmin\n", ""},
		{"whoami with args is usage", alice, false, []string{"whoami", "x"}, 2, "", "warren: whoami: whoami takes no arguments\nusage: whoami [--json]\n"},
		{"unknown command", alice, false, []string{"rm", "-rf"}, 127, "", "warren: unknown command \"rm\"; try: help\n"},
		{"no command", alice, false, nil, 2, "", "warren: no command given; try: help\n"},
		{"admin command refused for users", alice, false, []string{"users"}, 1, "", "warren: users: permission denied: admins only\n"},
		{"admin command for admins", root, false, []string{"users"}, 0, "", ""},
		{"failure is one line", alice, false, []string{"broken"}, 1, "", "warren: broken: disk on fire\n"},
		{"pty gets CRLF", alice, true, []string{"broken"}, 1, "", "warren: broken: disk on fire\r\n"},
		{"hostile name is clipped and quoted", alice, false, []string{"\x1b]0;pwned\x07" + strings.Repeat("A", 100)}, 127, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, r, tt.id, tt.pty, tt.argv...)
			if code != tt.wantCode {
				t.Errorf("code: got %d; want %d", code, tt.wantCode)
			}
			if stdout != tt.wantStdout {
				t.Errorf("stdout: got %q; want %q", stdout, tt.wantStdout)
			}
			if tt.wantStderr != "" && stderr != tt.wantStderr {
				t.Errorf("stderr: got %q; want %q", stderr, tt.wantStderr)
			}
			if strings.ContainsAny(stderr, "\x1b\x07") {
				t.Errorf("stderr carries control bytes: %q", stderr)
			}
		})
	}
}

func TestHelpHidesAdminCommands(t *testing.T) {
	admin := Command{Name: "users", Summary: "list users", Admin: true, Run: func(context.Context, Env, []string) error { return nil }}
	r := NewRouter(Whoami(), admin)
	_, out, _ := run(t, r, Identity{Login: "alice"}, false, "help")
	if strings.Contains(out, "users") || !strings.Contains(out, "whoami") {
		t.Errorf("user help: got %q; want whoami without users", out)
	}
	_, out, _ = run(t, r, Identity{Login: "boss", Admin: true}, false, "help")
	if !strings.Contains(out, "users") {
		t.Errorf("admin help: got %q; want users listed", out)
	}
}

type fakeTerminal struct {
	got  string
	code int
	err  error
}

func (f *fakeTerminal) Attach(_ context.Context, ws string) (int, error) {
	f.got = ws
	return f.code, f.err
}

func TestAttach(t *testing.T) {
	r := NewRouter(Attach())
	alice := Identity{Login: "alice"}
	tests := []struct {
		name       string
		term       *fakeTerminal
		args       []string
		wantCode   int
		wantStderr string
		wantWS     string
	}{
		{"attaches", &fakeTerminal{}, []string{"attach", "web"}, 0, "", "web"},
		{"program exit code passes through silently", &fakeTerminal{code: 3}, []string{"attach", "web"}, 3, "", "web"},
		{"needs a terminal", nil, []string{"attach", "web"}, 2, "warren: attach: attach needs a terminal: ssh -t HOST attach web\nusage: attach NAME\n", ""},
		{"needs a name", &fakeTerminal{}, []string{"attach"}, 2, "warren: attach: attach takes one workspace name\nusage: attach NAME\n", ""},
		{"errors are one line", &fakeTerminal{err: errors.New(`invalid workspace name "../x"`)}, []string{"attach", "../x"}, 1, "warren: attach: invalid workspace name \"../x\"\n", "../x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb strings.Builder
			env := Env{Identity: alice, Stdout: &out, Stderr: &errb}
			if tt.term != nil {
				env.Terminal = tt.term
			}
			code := r.Run(context.Background(), env, tt.args)
			if code != tt.wantCode || errb.String() != tt.wantStderr {
				t.Errorf("got %d %q; want %d %q", code, errb.String(), tt.wantCode, tt.wantStderr)
			}
			if tt.term != nil && tt.term.got != tt.wantWS {
				t.Errorf("attached to %q; want %q", tt.term.got, tt.wantWS)
			}
		})
	}
}

// helpRouter has commands like the server's: short and long usages, flags
// described or not, an admin command, and a multi-byte summary.
func helpRouter() *Router {
	nop := func(context.Context, Env, []string) error { return nil }
	return NewRouter(
		Command{Name: "ls", Args: "[--json]", Summary: "list things", Flags: []Flag{jsonFlag}, Run: nop},
		Command{Name: "history", Args: "NAME [--lines N] [--raw]", Summary: "print NAME's history", Run: nop},
		Command{Name: "audit", Args: "[--since DURATION] [--login L] [--json]", Summary: "print audit events, newest first, a summary long enough to wrap past the end of an eighty-column line",
			Flags: []Flag{{Name: "since", Arg: "DURATION", Usage: "only events this recent"}}, Admin: true, Run: nop},
		Command{Name: "café", Args: "NAME", Summary: "naïve résumé — déjà vu", Run: nop},
	)
}

func TestCommandHelp(t *testing.T) {
	r := helpRouter()
	lsHelp := "usage: ls [--json]\n\nlist things\n\nflags:\n  --json  print one JSON value instead of tab-separated lines\n"
	tests := []struct {
		name       string
		id         Identity
		argv       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"help ls", alice, []string{"help", "ls"}, 0, lsHelp, ""},
		{"ls -h", alice, []string{"ls", "-h"}, 0, lsHelp, ""},
		{"ls --help", alice, []string{"ls", "--help"}, 0, lsHelp, ""},
		{"ls -help after an argument", alice, []string{"ls", "x", "-help"}, 0, lsHelp, ""},
		{"-h after -- is an argument", alice, []string{"ls", "--", "-h"}, 0, "", ""},
		{"flags without descriptions", alice, []string{"history", "-h"}, 0,
			"usage: history NAME [--lines N] [--raw]\n\nprint NAME's history\n\nflags:\n  --lines N\n  --raw\n", ""},
		{"no flags", alice, []string{"help", "help"}, 0,
			"usage: help [COMMAND]\n\nlist the commands, or show one command's usage and flags (also: COMMAND -h)\n", ""},
		{"admin help for an admin", boss, []string{"audit", "--help"}, 0,
			"usage: audit [--since DURATION] [--login L] [--json]\n\nprint audit events, newest first, a summary long enough to wrap past the end of\nan eighty-column line\n\n" +
				"flags:\n  --since DURATION  only events this recent\n  --login L\n  --json\n", ""},
		{"admin help for a user", alice, []string{"help", "audit"}, 1, "", "warren: help: audit: permission denied: admins only\n"},
		{"admin -h for a user", alice, []string{"audit", "-h"}, 1, "", "warren: audit: permission denied: admins only\n"},
		{"unknown topic", alice, []string{"help", "nosuch"}, 1, "", "warren: help: unknown command \"nosuch\"; try: help\n"},
		{"two topics", alice, []string{"help", "ls", "history"}, 2, "", "warren: help: help takes at most one command\nusage: help [COMMAND]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, r, tt.id, false, tt.argv...)
			if code != tt.wantCode || stdout != tt.wantStdout || stderr != tt.wantStderr {
				t.Errorf("got %d %q %q; want %d %q %q", code, stdout, stderr, tt.wantCode, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

// The list aligns summaries by display width, puts a summary under a usage
// too wide for the column and wraps long summaries under themselves.
func TestHelpListAligned(t *testing.T) {
	_, got, _ := run(t, helpRouter(), boss, false, "help")
	want := "" +
		"audit [--since DURATION] [--login L] [--json]\n" +
		"                print audit events, newest first, a summary long enough to wrap\n" +
		"                past the end of an eighty-column line\n" +
		"café NAME       naïve résumé — déjà vu\n" +
		"help [COMMAND]  list the commands, or show one command's usage and flags (also:\n" +
		"                COMMAND -h)\n" +
		"history NAME [--lines N] [--raw]\n" +
		"                print NAME's history\n" +
		"ls [--json]     list things\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if w := utf8.RuneCountInString(line); w > helpWidth {
			t.Errorf("line of %d columns: %q", w, line)
		}
	}
}

// A failed command is logged with its whole error; the user gets the
// message meant for them.
func TestRouterLogsFailures(t *testing.T) {
	inner := errors.New("mkdir /data/x: read-only file system")
	tests := []struct {
		name       string
		err        error
		wantCode   int
		wantStderr string
		wantLevel  string
	}{
		{"server failure", &ServerError{Msg: "could not create x", Err: inner}, 255,
			"warren: c: could not create x: the server failed (its log says why)\n", "level=ERROR"},
		{"user error", fmt.Errorf("create workspace: %w", &UserError{Msg: "x already exists", Err: inner}), 1,
			"warren: c: x already exists\n", "level=DEBUG"},
		{"other error", fmt.Errorf("kick: %w", inner), 1, "warren: c: kick: mkdir /data/x: read-only file system\n", "level=WARN"},
		{"usage", Usagef("c takes no arguments"), 2, "warren: c: c takes no arguments\nusage: c\n", "level=DEBUG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log strings.Builder
			c := Command{Name: "c", Run: func(context.Context, Env, []string) error { return tt.err }}
			r := NewRouter(c).WithLogger(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))
			code, _, stderr := run(t, r, alice, false, "c")
			if code != tt.wantCode || stderr != tt.wantStderr {
				t.Errorf("got %d %q; want %d %q", code, stderr, tt.wantCode, tt.wantStderr)
			}
			if l := log.String(); !strings.Contains(l, tt.wantLevel) || !strings.Contains(l, "command=c") || !strings.Contains(l, "login=alice") ||
				!strings.Contains(l, tt.err.Error()) && !strings.Contains(l, strconv.Quote(tt.err.Error())) {
				t.Errorf("log: got %q; want %s with the whole error", l, tt.wantLevel)
			}
		})
	}
}

// wrap keeps every word, in order, and no line is wider than width unless
// it is one word. (It wraps summaries and flag texts written in the code:
// valid UTF-8.)
func FuzzWrap(f *testing.F) {
	f.Add("list your workspaces and sessions: name, state, clients", 20)
	f.Add("naïve résumé — déjà vu 日本語のテキスト", 5)
	f.Fuzz(func(t *testing.T, s string, width int) {
		if !utf8.ValidString(s) {
			return
		}
		width = max(1, width%200)
		lines := wrap(s, width)
		if got, want := strings.Fields(strings.Join(lines, " ")), strings.Fields(s); !slices.Equal(got, want) {
			t.Fatalf("wrap(%q, %d) = %q: words changed", s, width, lines)
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > width && len(strings.Fields(l)) > 1 {
				t.Fatalf("wrap(%q, %d): line %q is wider", s, width, l)
			}
		}
	})
}
