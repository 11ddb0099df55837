package commands

import (
	"context"
	"errors"
	"strings"
	"testing"
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
