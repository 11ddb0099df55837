package commands

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// workspaceRouter returns a maker of routers over fresh fakes that fail
// with err when it is not nil.
func workspaceRouter(err error) func() (*Router, *[]string) {
	return func() (*Router, *[]string) {
		f := newFakeWorkspaces()
		f.err = err
		return NewRouter(Ls(f), New(f), Stop(f), Rm(f)), &f.calls
	}
}

func TestLs(t *testing.T) {
	runCases(t, workspaceRouter(nil), []cmdCase{
		{name: "text sorted, untrusted branch sanitized", id: alice, argv: []string{"ls"},
			wantStdout: "api\tnone\t0\t-\t-\t-\t-\n" +
				"cli\tfailed\t0\t-\tid-9\t-\t127\n" +
				"evil\texited\t0\t-\t-\tx?]0;pwn??y?\t3\n" +
				"web\trunning\t2\t2025-03-01T12:00:00Z\t0b5e0cd6-8a1e-4c4e-9d56-3f1f1b2c6a01\tmain*\t-\n"},
		{name: "pty gets crlf", id: alice, pty: true, argv: []string{"ls"},
			wantStdout: "api\tnone\t0\t-\t-\t-\t-\r\n" +
				"cli\tfailed\t0\t-\tid-9\t-\t127\r\n" +
				"evil\texited\t0\t-\t-\tx?]0;pwn??y?\t3\r\n" +
				"web\trunning\t2\t2025-03-01T12:00:00Z\t0b5e0cd6-8a1e-4c4e-9d56-3f1f1b2c6a01\tmain*\t-\r\n"},
		{name: "json", id: alice, argv: []string{"ls", "--json"}, wantStdout: `[
			{"name":"api","state":"none","clients":0,"exit_code":0,"session_id":"","last_activity":null,"branch":"","dirty":false,"error":""},
			{"name":"cli","state":"failed","clients":0,"exit_code":127,"session_id":"id-9","last_activity":null,"branch":"","dirty":false,"error":"cannot start nosuchprog: not found on the server's PATH"},
			{"name":"evil","state":"exited","clients":0,"exit_code":3,"session_id":"","last_activity":null,"branch":"x\u001b]0;pwn\u0007\ty\u009b","dirty":false,"error":""},
			{"name":"web","state":"running","clients":2,"exit_code":0,"session_id":"0b5e0cd6-8a1e-4c4e-9d56-3f1f1b2c6a01","last_activity":"2025-03-01T12:00:00Z","branch":"main","dirty":true,"error":""}]`},
		{name: "no workspaces", id: Identity{Login: "carol"}, argv: []string{"ls"}, wantStdout: ""},
		{name: "no workspaces json is an empty array", id: Identity{Login: "carol"}, argv: []string{"ls", "-json"}, wantStdout: "[]"},
		{name: "only the caller's", id: Identity{Login: "bob"}, argv: []string{"ls"}, wantStdout: "secret\tdetached\t0\t-\ts\t-\t-\n"},
		{name: "argument is usage", id: alice, argv: []string{"ls", "web"}, wantCode: 2,
			wantStderr: "warren: ls: ls takes no arguments\nusage: ls [--json]\n"},
		{name: "unknown flag is usage", id: alice, argv: []string{"ls", "--long"}, wantCode: 2,
			wantStderr: "warren: ls: flag provided but not defined: -long\nusage: ls [--json]\n"},
		{name: "hostile flag is one clean line", id: alice, argv: []string{"ls", "--\x1b[31mx\ny"}, wantCode: 2,
			wantStderr: "warren: ls: flag provided but not defined: -?[31mx y\nusage: ls [--json]\n"},
	})
}

func TestNew(t *testing.T) {
	const progress = "Cloning into 'repo'...\nremote: hi\nReceiving objects:  50%\rReceiving objects: 100%\n"
	const usage = "usage: new [NAME] [--clone URL]\n"
	runCases(t, workspaceRouter(nil), []cmdCase{
		{name: "creates and prints the name", id: alice, argv: []string{"new", "docs"}, wantStdout: "docs\n", wantCalls: []string{"create alice docs"}},
		{name: "says the name was folded", id: alice, argv: []string{"new", "MyDocs"}, wantStdout: "mydocs\n",
			wantStderr: "warren: new: workspace names are lower case: created mydocs\n", wantCalls: []string{"create alice MyDocs"}},
		{name: "folded on a pty", id: alice, pty: true, argv: []string{"new", "MyDocs"}, wantStdout: "mydocs\r\n",
			wantStderr: "warren: new: workspace names are lower case: created mydocs\r\n"},
		{name: "exists", id: alice, argv: []string{"new", "web"}, wantCode: 1,
			wantStderr: "warren: new: web already exists\n", wantCalls: []string{"create alice web"}},
		{name: "clones with clean progress on stderr", id: alice, argv: []string{"new", "repo", "--clone", "https://github.com/a/b"},
			wantStdout: "repo\n", wantStderr: progress, wantCalls: []string{"clone alice repo https://github.com/a/b"}},
		{name: "flag first and scp-like url", id: alice, argv: []string{"new", "--clone", "git@github.com:a/b.git", "repo"},
			wantStdout: "repo\n", wantStderr: progress, wantCalls: []string{"clone alice repo git@github.com:a/b.git"}},
		{name: "name from the url", id: alice, argv: []string{"new", "--clone", "https://github.com/a/Repo.git"},
			wantStdout: "repo\n", wantStderr: progress, wantCalls: []string{"clone alice repo https://github.com/a/Repo.git"}},
		{name: "no name in the url", id: alice, argv: []string{"new", "--clone", "https://github.com/"}, wantCode: 1,
			wantStderr: "warren: new: no workspace name in https://github.com/; give one: new NAME --clone URL\n", wantCalls: []string{}},
		{name: "progress gets crlf on a pty", id: alice, pty: true, argv: []string{"new", "repo", "--clone=ssh://git@h/a"},
			wantStdout: "repo\r\n", wantStderr: "Cloning into 'repo'...\r\nremote: hi\r\nReceiving objects:  50%\rReceiving objects: 100%\r\n",
			wantCalls: []string{"clone alice repo ssh://git@h/a"}},
		{name: "clone failure is exit 1 after the progress", id: alice, argv: []string{"new", "repo", "--clone", "https://h/fail"}, wantCode: 1,
			wantStderr: progress + "warren: new: could not clone https://h/fail: fatal: repository not found\n"},
		{name: "a progress line left open is ended", id: alice, argv: []string{"new", "repo", "--clone", "https://h/fail-open"}, wantCode: 1,
			wantStderr: progress + "Receiving objects:  1%\r\nwarren: new: could not clone https://h/fail-open: fatal: repository not found\n"},
		{name: "no name", id: alice, argv: []string{"new"}, wantCode: 2,
			wantStderr: "warren: new: new takes one workspace name\n" + usage, wantCalls: []string{}},
		{name: "empty name", id: alice, argv: []string{"new", ""}, wantCode: 2,
			wantStderr: "warren: new: new takes one workspace name\n" + usage, wantCalls: []string{}},
		{name: "two names", id: alice, argv: []string{"new", "a", "b"}, wantCode: 2,
			wantStderr: "warren: new: new takes one workspace name\n" + usage},
		{name: "clone without url", id: alice, argv: []string{"new", "repo", "--clone"}, wantCode: 2,
			wantStderr: "warren: new: flag needs an argument: -clone\n" + usage},
	})
	for _, url := range []string{"", "/etc", "file:///etc", "ext::sh -c touch% /tmp/x", "-uhack", "fd::3", "host:path", "https://", "user@host::x", "a/b@c:d"} {
		t.Run("refuses url "+url, func(t *testing.T) {
			f := newFakeWorkspaces()
			code, _, stderr := run(t, NewRouter(New(f)), alice, false, "new", "repo", "--clone", url)
			if code != ExitUsage || len(f.calls) != 0 {
				t.Errorf("got %d %q, calls %q; want 2 and no calls", code, stderr, f.calls)
			}
		})
	}
}

// A failure of the server is one line that says what could not be done,
// exit 255; the error behind it goes to the log only.
func TestServerFailures(t *testing.T) {
	cause := errors.New("create workspace x: mkdir /data/workspaces/alice/x: read-only file system")
	for _, tt := range []struct {
		name string
		argv []string
		want string
	}{
		{"new", []string{"new", "x"}, "warren: new: could not create x: the server failed (its log says why)\n"},
		{"new clone", []string{"new", "x", "--clone", "https://h/x"}, ""},
		{"stop", []string{"stop", "web"}, "warren: stop: could not stop web: the server failed (its log says why)\n"},
		{"rm", []string{"rm", "web", "--yes"}, "warren: rm: could not delete web: the server failed (its log says why)\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var log strings.Builder
			f := newFakeWorkspaces()
			f.err = cause
			r := NewRouter(New(f), Stop(f), Rm(f)).WithLogger(slog.New(slog.NewTextHandler(&log, nil)))
			code, _, stderr := run(t, r, alice, false, tt.argv...)
			if tt.want == "" { // the fake's Clone ignores f.err
				return
			}
			if code != ExitServer || stderr != tt.want {
				t.Errorf("got %d %q; want %d %q", code, stderr, ExitServer, tt.want)
			}
			if !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "read-only file system") {
				t.Errorf("log: got %q; want the cause at error level", log.String())
			}
		})
	}
}

func TestStopAndRm(t *testing.T) {
	runCases(t, workspaceRouter(nil), []cmdCase{
		{name: "stop", id: alice, argv: []string{"stop", "web"}, wantCalls: []string{"stop alice web"}},
		{name: "stop without a session", id: alice, argv: []string{"stop", "api"}, wantCode: 1,
			wantStderr: "warren: stop: api: not found\n"},
		{name: "stop missing", id: alice, argv: []string{"stop", "nope"}, wantCode: 1, wantStderr: "warren: stop: nope: not found\n"},
		{name: "stop another login's", id: alice, argv: []string{"stop", "secret"}, wantCode: 1,
			wantStderr: "warren: stop: secret: not found\n", wantCalls: []string{"stop alice secret"}},
		{name: "stop needs a name", id: alice, argv: []string{"stop"}, wantCode: 2,
			wantStderr: "warren: stop: stop takes one workspace name\nusage: stop NAME\n"},
		{name: "rm refuses without --yes", id: alice, argv: []string{"rm", "web"}, wantCode: 2,
			wantStderr: "warren: rm: rm deletes web and its history; pass --yes\nusage: rm NAME --yes\n", wantCalls: []string{}},
		{name: "rm refuses without --yes on a pty too", id: alice, pty: true, argv: []string{"rm", "web"}, wantCode: 2,
			wantStderr: "warren: rm: rm deletes web and its history; pass --yes\r\nusage: rm NAME --yes\r\n", wantCalls: []string{}},
		{name: "rm", id: alice, argv: []string{"rm", "web", "--yes"}, wantCalls: []string{"delete alice web"}},
		{name: "rm flag first", id: alice, argv: []string{"rm", "--yes", "web"}, wantCalls: []string{"delete alice web"}},
		{name: "rm after --", id: alice, argv: []string{"rm", "--yes", "--", "web"}, wantCalls: []string{"delete alice web"}},
		{name: "rm missing", id: alice, argv: []string{"rm", "nope", "--yes"}, wantCode: 1, wantStderr: "warren: rm: nope: not found\n"},
		{name: "rm another login's", id: alice, argv: []string{"rm", "secret", "--yes"}, wantCode: 1, wantStderr: "warren: rm: secret: not found\n"},
	})
	t.Run("rm with a terminal still needs --yes", func(t *testing.T) {
		f := newFakeWorkspaces()
		var out, errb strings.Builder
		code := NewRouter(Rm(f)).Run(t.Context(), Env{Identity: alice, Stdout: &out, Stderr: &errb, PTY: true, Terminal: &fakeTerminal{}}, []string{"rm", "web"})
		if code != ExitUsage || len(f.calls) != 0 {
			t.Errorf("got %d, calls %q; want 2 and no calls", code, f.calls)
		}
	})
	t.Run("multi-line messages print as one line", func(t *testing.T) {
		r, _ := workspaceRouter(&UserError{Msg: "web is busy:\nwait\x1b[2J a moment"})()
		code, _, stderr := run(t, r, alice, false, "rm", "web", "--yes")
		if want := "warren: rm: web is busy: wait?[2J a moment\n"; code != 1 || stderr != want {
			t.Errorf("got %d %q; want 1 %q", code, stderr, want)
		}
	})
}
