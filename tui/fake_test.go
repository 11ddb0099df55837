package tui

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// now is the fixed clock of every test.
var now = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func before(d time.Duration) time.Time { return now.Add(-d) }

// fakeSource is an in-memory Source that records calls.
type fakeSource struct {
	mu       sync.Mutex
	list     []Workspace
	listErr  error
	loaded   chan struct{} // closed by the first Workspaces call
	previews map[string][]string
	opErr    error
	calls    []string
	// clone runs for Clone; nil means succeed and add the workspace.
	clone func(ctx context.Context, name, url string, progress io.Writer) error
}

func (f *fakeSource) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeSource) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeSource) Workspaces(ctx context.Context) ([]Workspace, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return nil, f.listErr
	}
	return append([]Workspace(nil), f.list...), nil
}

func (f *fakeSource) Preview(name string, cols, rows int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	lines := f.previews[name]
	if len(lines) > rows {
		lines = lines[:rows]
	}
	return lines
}

// ValidateName folds case, as the server does, and refuses spaces and
// slashes.
func (f *fakeSource) ValidateName(name string) (string, error) {
	if strings.ContainsAny(name, " /") {
		return "", errors.New("invalid workspace name: use a-z, 0-9, '.', '_' and '-'")
	}
	name = strings.ToLower(name)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, w := range f.list {
		if w.Name == name {
			return "", errors.New("workspace " + name + " already exists")
		}
	}
	return name, nil
}

// SuggestName is the last path element, without ".git", lower case.
func (f *fakeSource) SuggestName(url string) string {
	url = strings.TrimSuffix(strings.TrimRight(url, "/"), ".git")
	return strings.ToLower(url[strings.LastIndexAny(url, "/:")+1:])
}

func (f *fakeSource) op(name, call string, fn func()) error {
	f.record(call + " " + name)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opErr != nil {
		return f.opErr
	}
	if fn != nil {
		fn()
	}
	return nil
}

func (f *fakeSource) Create(ctx context.Context, name string) (string, error) {
	made := strings.ToLower(name)
	err := f.op(name, "create", func() {
		f.list = append(f.list, Workspace{Name: made, LastActivity: now})
	})
	return made, err
}

func (f *fakeSource) Clone(ctx context.Context, name, url string, progress io.Writer) (string, error) {
	f.record("clone " + name + " " + url)
	if f.clone != nil {
		if err := f.clone(ctx, name, url, progress); err != nil {
			return "", err
		}
	}
	made := strings.ToLower(name)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list = append(f.list, Workspace{Name: made, Repo: true, Branch: "main", LastActivity: now})
	return made, nil
}

func (f *fakeSource) Delete(ctx context.Context, name string) error {
	return f.op(name, "delete", func() {
		for i, w := range f.list {
			if w.Name == name {
				f.list = append(f.list[:i], f.list[i+1:]...)
				return
			}
		}
	})
}

func (f *fakeSource) Stop(ctx context.Context, name string) error {
	return f.op(name, "stop", nil)
}

func (f *fakeSource) Restart(ctx context.Context, name string) error {
	return f.op(name, "restart", nil)
}

// sampleWorkspaces has one workspace in every state, out of order.
func sampleWorkspaces() []Workspace {
	return []Workspace{
		{Name: "notes", State: NoSession, LastActivity: before(26 * time.Hour)},
		{Name: "api-server", State: Running, Clients: 2, LastActivity: before(20 * time.Second),
			Repo: true, Branch: "main", Dirty: true, Title: "✳ Fix flaky auth test"},
		{Name: "infra", State: Exited, ExitCode: 3, Since: before(time.Hour), LastActivity: before(70 * time.Minute),
			Repo: true, Branch: "terraform-upgrade"},
		{Name: "web", State: Detached, Since: before(5 * time.Minute), LastActivity: before(3 * time.Minute),
			Repo: true, Branch: "feature/login-page"},
		{Name: "scratch", State: Restored, LastActivity: before(2 * time.Hour)},
		{Name: "old-demo", State: Stopped, Since: before(3 * 24 * time.Hour), LastActivity: before(3 * 24 * time.Hour)},
	}
}

func samplePreviews() map[string][]string {
	return map[string][]string{
		"api-server": {
			"╭───────────────────────────────────────╮",
			"│ ✻ Welcome to Claude Code!             │",
			"╰───────────────────────────────────────╯",
			"",
			"> fix the flaky auth test",
			"",
			"● Reading internal/auth/auth_test.go…",
			"● The test races on the key cache; adding a \x1b[31mlock\x1b[0m.",
			"",
			"❯ ",
		},
	}
}

// driver runs a Model the way bubbletea does: commands in goroutines, their
// messages back through Update on the test goroutine.
type driver struct {
	t       *testing.T
	m       *Model
	src     *fakeSource
	msgs    chan tea.Msg
	pending int
	quit    bool
}

func newDriver(t *testing.T, src *fakeSource, opts Options) *driver {
	t.Helper()
	opts.Source = src
	if opts.Login == "" {
		opts.Login = "alice"
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	if opts.Width == 0 {
		opts.Width, opts.Height = 80, 24
	}
	if opts.Profile == colorprofile.Unknown {
		opts.Profile = colorprofile.TrueColor
	}
	opts.HasDarkBackground = true
	m := New(opts)
	m.tick = func(time.Duration) tea.Cmd { return nil } // tests send tickMsg themselves
	d := &driver{t: t, m: m, src: src, msgs: make(chan tea.Msg, 64)}
	d.exec(m.Init())
	d.settle()
	return d
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.pending++
	go func() { d.msgs <- cmd() }() // ends when cmd returns; settle or until drains it
}

func (d *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
	case tea.QuitMsg:
		d.quit = true
	default:
		_, cmd := d.m.Update(msg)
		d.exec(cmd)
	}
}

// until handles messages until cond holds, failing after a deadline.
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.pending--
			d.handle(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.screen())
		}
	}
}

// settle handles messages until no command is running.
func (d *driver) settle() {
	d.t.Helper()
	d.until("commands to finish", func() bool { return d.pending == 0 })
}

// send delivers msg and settles.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	d.handle(msg)
	d.settle()
}

// keys types each key: "enter", "esc", "up", "ctrl+c", or text.
func (d *driver) keys(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// typeText types s one rune at a time.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (d *driver) raw() string { return d.m.View().Content }

// screen is the view as plain text, trailing spaces trimmed.
func (d *driver) screen() string {
	lines := strings.Split(ansi.Strip(d.raw()), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("view %s differs from %s:\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}
