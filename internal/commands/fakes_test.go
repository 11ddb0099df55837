package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	t0    = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	alice = Identity{Login: "alice", Fingerprint: "SHA256:alicekey1"}
	boss  = Identity{Login: "boss", Admin: true, Fingerprint: "SHA256:bosskey"}
)

// cmdCase is one command line and what it must produce.
type cmdCase struct {
	name       string
	id         Identity
	pty        bool
	argv       []string
	wantCode   int
	wantStdout string // compared as JSON when it starts with '[' or '{'
	wantStderr string
	wantCalls  []string // calls the fake recorded, when not nil
}

// runCases runs each case against a fresh router from mk, which also
// returns the fake's call log.
func runCases(t *testing.T, mk func() (*Router, *[]string), cases []cmdCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r, calls := mk()
			code, stdout, stderr := run(t, r, tt.id, tt.pty, tt.argv...)
			if code != tt.wantCode {
				t.Errorf("code: got %d; want %d", code, tt.wantCode)
			}
			checkStdout(t, stdout, tt.wantStdout)
			if stderr != tt.wantStderr {
				t.Errorf("stderr: got %q; want %q", stderr, tt.wantStderr)
			}
			if tt.wantCalls != nil && !slices.Equal(*calls, tt.wantCalls) {
				t.Errorf("calls: got %q; want %q", *calls, tt.wantCalls)
			}
			if code == ExitUsage && !strings.HasPrefix(stderr, "warren: ") {
				t.Errorf("usage error: got %q; want a warren: reason line", stderr)
			}
		})
	}
}

// checkStdout compares JSON by value (pinning every field name), text as is.
func checkStdout(t *testing.T, got, want string) {
	t.Helper()
	if !strings.HasPrefix(want, "[") && !strings.HasPrefix(want, "{") {
		if got != want {
			t.Errorf("stdout: got %q; want %q", got, want)
		}
		return
	}
	if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") {
		t.Errorf("stdout: got %q; want one line of JSON", got)
	}
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("stdout: got %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("stdout: got %s; want %s", got, want)
	}
}

// fakeWorkspaces keeps workspaces per login in memory.
type fakeWorkspaces struct {
	mu sync.Mutex
	// mu guards the following.
	ws    map[string][]WorkspaceInfo
	calls []string
	err   error // returned by Create, Delete and Stop when set
}

func newFakeWorkspaces() *fakeWorkspaces {
	return &fakeWorkspaces{ws: map[string][]WorkspaceInfo{
		"alice": {
			{Name: "web", State: StateRunning, Clients: 2, SessionID: "0b5e0cd6-8a1e-4c4e-9d56-3f1f1b2c6a01", LastActivity: t0, Branch: "main", Dirty: true},
			{Name: "api", State: StateNone},
			{Name: "evil", State: StateExited, ExitCode: 3, Branch: "x\x1b]0;pwn\x07\ty\u009b"},
			{Name: "cli", State: StateFailed, ExitCode: 127, SessionID: "id-9", Error: "cannot start nosuchprog: not found on the server's PATH"},
		},
		"bob": {{Name: "secret", State: StateDetached, SessionID: "s"}},
	}}
}

func (f *fakeWorkspaces) find(login, name string) int {
	return slices.IndexFunc(f.ws[login], func(w WorkspaceInfo) bool { return w.Name == name })
}

func (f *fakeWorkspaces) List(_ context.Context, login string) ([]WorkspaceInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ws[login]), nil
}

// Create makes name, case-folded as the real service does.
func (f *fakeWorkspaces) Create(_ context.Context, login, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "create "+login+" "+name)
	if f.err != nil {
		return "", f.err
	}
	name = strings.ToLower(name)
	if f.find(login, name) >= 0 {
		return "", &UserError{Msg: name + " already exists"}
	}
	f.ws[login] = append(f.ws[login], WorkspaceInfo{Name: name, State: StateNone})
	return name, nil
}

func (f *fakeWorkspaces) Clone(_ context.Context, login, name, url string, progress io.Writer) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "clone "+login+" "+name+" "+url)
	f.mu.Unlock()
	fmt.Fprintf(progress, "Cloning into '%s'...\n", name)
	fmt.Fprint(progress, "remote: \x1b[31mhi\x1b]0;pwned\x07\x1b[0m\n")
	fmt.Fprint(progress, "Receiving objects:  50%\rReceiving objects: 100%\n")
	if strings.HasSuffix(url, "-open") {
		fmt.Fprint(progress, "Receiving objects:  1%\r")
	}
	if strings.Contains(url, "fail") {
		return "", &UserError{Msg: "could not clone " + url + ": fatal: repository not found", Err: errors.New("exit status 128")}
	}
	return strings.ToLower(name), nil
}

// NameFromURL knows the names of a few URLs.
func (f *fakeWorkspaces) NameFromURL(url string) string {
	return map[string]string{"https://github.com/a/Repo.git": "repo"}[url]
}

func (f *fakeWorkspaces) Delete(_ context.Context, login, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "delete "+login+" "+name)
	if f.err != nil {
		return f.err
	}
	i := f.find(login, name)
	if i < 0 {
		return fmt.Errorf("workspace %s/%s: %w", login, name, ErrNotFound)
	}
	f.ws[login] = slices.Delete(f.ws[login], i, i+1)
	return nil
}

func (f *fakeWorkspaces) Stop(_ context.Context, login, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "stop "+login+" "+name)
	if f.err != nil {
		return f.err
	}
	i := f.find(login, name)
	if i < 0 || f.ws[login][i].State == StateNone {
		return fmt.Errorf("session of %s: %w", name, ErrNotFound)
	}
	f.ws[login][i].State = StateStopped
	return nil
}

// fakeHistory serves histories from generators, per login and workspace.
type fakeHistory struct {
	src    map[string]func() io.Reader // "login/name"
	opened []string
	closed int
}

func (f *fakeHistory) OpenRaw(_ context.Context, login, name string) (io.ReadCloser, error) {
	f.opened = append(f.opened, login+"/"+name)
	mk, ok := f.src[login+"/"+name]
	if !ok {
		return nil, fmt.Errorf("history %s: %w", name, ErrNotFound)
	}
	return &closeCounter{Reader: mk(), closed: &f.closed}, nil
}

// HistoryText renders with a lineFake: the real renderer, a screen model,
// is the server's to wire in.
func (f *fakeHistory) HistoryText(_ context.Context, _, _ string, line func([]byte) error) TextRenderer {
	return &lineFake{line: line}
}

// lineFake is a TextRenderer that knows only lines: "\n" ends one, and of
// what a '\r' in it separates only the last part is kept. Everything else,
// escape sequences included, is handed on as it is, for the command to make
// safe. It holds one line.
type lineFake struct {
	line func([]byte) error
	cur  []byte
}

func (l *lineFake) Write(p []byte) (int, error) {
	for _, b := range p {
		if b != '\n' {
			l.cur = append(l.cur, b)
			continue
		}
		if err := l.end(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (l *lineFake) Close() error {
	if len(l.cur) == 0 {
		return nil
	}
	return l.end()
}

func (l *lineFake) end() error {
	cur := bytes.TrimSuffix(l.cur, []byte("\r"))
	if i := bytes.LastIndexByte(cur, '\r'); i >= 0 {
		cur = cur[i+1:]
	}
	err := l.line(cur)
	l.cur = l.cur[:0]
	return err
}

type closeCounter struct {
	io.Reader
	closed *int
}

func (c *closeCounter) Close() error { *c.closed++; return nil }

// fakeKeys serves key sets per login.
type fakeKeys struct {
	sets  map[string]KeySet
	calls []string
}

func (f *fakeKeys) Keys(_ context.Context, login string) (KeySet, error) {
	f.calls = append(f.calls, "keys "+login)
	return f.sets[login], nil
}

func (f *fakeKeys) Refresh(_ context.Context, login string, accept bool) (KeySet, error) {
	if accept {
		f.calls = append(f.calls, "accept "+login)
	} else {
		f.calls = append(f.calls, "refresh "+login)
	}
	set, ok := f.sets[login]
	if !ok {
		return KeySet{}, fmt.Errorf("login %s: %w", login, ErrNotFound)
	}
	return set, nil
}

// GiveKey gives a key that login lists; "SHA256:held" was bob's.
func (f *fakeKeys) GiveKey(_ context.Context, login, fp string) (string, error) {
	f.calls = append(f.calls, "give "+login+" "+fp)
	set, ok := f.sets[login]
	if !ok {
		return "", fmt.Errorf("login %s: %w", login, ErrNotFound)
	}
	for _, k := range set.Keys {
		if k.Fingerprint == fp {
			return k.HeldBy, nil
		}
	}
	return "", &UserError{Msg: login + " does not list " + fp}
}

// fakeAdmin serves fixed admin data and records calls.
type fakeAdmin struct {
	users    []UserInfo
	sessions []SessionInfo
	events   []EventInfo
	kicks    map[string]int
	query    AuditQuery
	calls    []string
}

func (f *fakeAdmin) Users(context.Context) ([]UserInfo, error) {
	f.calls = append(f.calls, "users")
	return f.users, nil
}

func (f *fakeAdmin) Sessions(context.Context) ([]SessionInfo, error) {
	f.calls = append(f.calls, "sessions")
	return f.sessions, nil
}

func (f *fakeAdmin) Audit(_ context.Context, q AuditQuery) ([]EventInfo, error) {
	f.calls = append(f.calls, "audit")
	f.query = q
	return f.events, nil
}

func (f *fakeAdmin) Kick(_ context.Context, login string) (int, error) {
	f.calls = append(f.calls, "kick "+login)
	return f.kicks[login], nil
}

// Compile-time checks that the fakes implement the interfaces.
var (
	_ Workspaces    = (*fakeWorkspaces)(nil)
	_ HistorySource = (*fakeHistory)(nil)
	_ KeySource     = (*fakeKeys)(nil)
	_ Admin         = (*fakeAdmin)(nil)
)

// bytesReader returns a generator for a fixed history.
func bytesReader(s string) func() io.Reader {
	return func() io.Reader { return bytes.NewReader([]byte(s)) }
}
