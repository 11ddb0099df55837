package tui

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func names(list []Workspace) []string {
	var out []string
	for _, w := range list {
		out = append(out, w.Name)
	}
	return out
}

func TestOrderByLastActivity(t *testing.T) {
	d := newDriver(t, &fakeSource{list: sampleWorkspaces()}, Options{})
	got := strings.Join(names(d.m.all), " ")
	want := "api-server web infra scratch notes old-demo"
	if got != want {
		t.Errorf("order: got %q; want %q", got, want)
	}
}

func TestSortTiesAndZeroTimes(t *testing.T) {
	list := []Workspace{{Name: "b"}, {Name: "a"}, {Name: "c", LastActivity: now}, {Name: "d", LastActivity: now}}
	sortWorkspaces(list)
	if got, want := strings.Join(names(list), " "), "c d a b"; got != want {
		t.Errorf("order: got %q; want %q", got, want)
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name     string
		selected string
		keys     []string
		want     Result
		wantDone bool
	}{
		{name: "enter attaches the first", keys: []string{"enter"}, want: Result{ActionAttach, "api-server"}, wantDone: true},
		{name: "down then enter", keys: []string{"down", "enter"}, want: Result{ActionAttach, "web"}, wantDone: true},
		{name: "j k j", keys: []string{"j", "k", "j", "enter"}, want: Result{ActionAttach, "web"}, wantDone: true},
		{name: "G goes to the last", keys: []string{"G", "enter"}, want: Result{ActionAttach, "old-demo"}, wantDone: true},
		{name: "up at the top stays", keys: []string{"up", "enter"}, want: Result{ActionAttach, "api-server"}, wantDone: true},
		{name: "starts at Selected", selected: "notes", keys: []string{"enter"}, want: Result{ActionAttach, "notes"}, wantDone: true},
		{name: "unknown Selected starts at the first", selected: "gone", keys: []string{"enter"}, want: Result{ActionAttach, "api-server"}, wantDone: true},
		{name: "q quits", keys: []string{"q"}, want: Result{ActionQuit, ""}, wantDone: true},
		{name: "ctrl+c quits", keys: []string{"ctrl+c"}, want: Result{ActionQuit, ""}, wantDone: true},
		{name: "ctrl+c quits from a prompt", keys: []string{"n", "ctrl+c"}, want: Result{ActionQuit, ""}, wantDone: true},
		{name: "q in a prompt is text", keys: []string{"n", "q"}, want: Result{ActionQuit, ""}},
		{name: "esc in the list does nothing", keys: []string{"esc"}, want: Result{ActionQuit, ""}},
		{name: "filter then enter twice attaches the match", keys: []string{"/", "i", "n", "f", "enter", "enter"}, want: Result{ActionAttach, "infra"}, wantDone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t, &fakeSource{list: sampleWorkspaces()}, Options{Selected: tt.selected})
			d.keys(tt.keys...)
			if got := d.m.Result(); got != tt.want {
				t.Errorf("result: got %+v; want %+v", got, tt.want)
			}
			if d.quit != tt.wantDone {
				t.Errorf("quit: got %v; want %v", d.quit, tt.wantDone)
			}
		})
	}
}

func TestEnterWithNoWorkspacesDoesNothing(t *testing.T) {
	d := newDriver(t, &fakeSource{}, Options{})
	d.keys("enter")
	if d.quit {
		t.Errorf("enter on an empty list quit with %+v", d.m.Result())
	}
}

func TestEscCancelsPrompts(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{name: "new", keys: []string{"n", "f", "o", "o", "esc"}},
		{name: "clone url", keys: []string{"c", "h", "esc"}},
		{name: "clone name", keys: []string{"c", "h", "enter", "esc"}},
		{name: "delete", keys: []string{"d", "a", "p", "i", "esc"}},
		{name: "stop", keys: []string{"x", "esc"}},
		{name: "stop n", keys: []string{"x", "n"}},
		{name: "restart", keys: []string{"r", "esc"}},
		{name: "filter clears", keys: []string{"/", "w", "esc"}},
		{name: "applied filter clears", keys: []string{"/", "w", "enter", "esc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{list: sampleWorkspaces()}
			d := newDriver(t, src, Options{})
			d.keys(tt.keys...)
			if d.m.mode != modeList {
				t.Errorf("mode: got %d; want the list", d.m.mode)
			}
			if calls := src.Calls(); len(calls) != 0 {
				t.Errorf("calls: got %q; want none", calls)
			}
			if d.m.filter != "" || len(d.m.visible) != len(d.m.all) {
				t.Errorf("filter %q left %d of %d visible", d.m.filter, len(d.m.visible), len(d.m.all))
			}
			if d.quit {
				t.Errorf("esc quit")
			}
		})
	}
}

func TestDeleteRequiresExactName(t *testing.T) {
	tests := []struct {
		name       string
		typed      string
		wantDelete bool
	}{
		{name: "prefix", typed: "api"},
		{name: "case differs", typed: "API-SERVER"},
		{name: "trailing space", typed: "api-server "},
		{name: "another workspace", typed: "web"},
		{name: "exact", typed: "api-server", wantDelete: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{list: sampleWorkspaces()}
			d := newDriver(t, src, Options{})
			d.keys("d")
			d.typeText(tt.typed)
			d.keys("enter")
			got := slices.Contains(src.Calls(), "delete api-server")
			if got != tt.wantDelete {
				t.Errorf("deleted: got %v; want %v (calls %q)", got, tt.wantDelete, src.Calls())
			}
			if !tt.wantDelete && (d.m.mode != modeDelete || d.m.inputErr == "") {
				t.Errorf("wrong name: mode %d, message %q; want the prompt open with a message", d.m.mode, d.m.inputErr)
			}
			if tt.wantDelete {
				if slices.Contains(names(d.m.all), "api-server") {
					t.Errorf("api-server still listed after delete")
				}
				if got, want := d.m.status, "deleted api-server"; got != want {
					t.Errorf("status: got %q; want %q", got, want)
				}
			}
		})
	}
}

func TestCreateSelectsNewWorkspace(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	d := newDriver(t, src, Options{})
	d.keys("n")
	d.typeText("my-proj")
	d.keys("enter")
	if got, want := src.Calls(), []string{"create my-proj"}; !slices.Equal(got, want) {
		t.Fatalf("calls: got %q; want %q", got, want)
	}
	if w, _ := d.m.current(); w.Name != "my-proj" {
		t.Errorf("selected: got %q; want %q", w.Name, "my-proj")
	}
	d.keys("enter")
	if got, want := d.m.Result(), (Result{ActionAttach, "my-proj"}); got != want {
		t.Errorf("result: got %+v; want %+v", got, want)
	}
}

// A name typed in upper case is made in lower case: the hint says so before
// enter, the status line after, and the workspace made is selected.
func TestCreateSaysTheNameMade(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	d := newDriver(t, src, Options{})
	d.keys("n")
	d.typeText("MyProj")
	if !strings.Contains(d.screen(), "enter creates myproj (names are lower case)") {
		t.Errorf("no hint of the name made:\n%s", d.screen())
	}
	d.keys("enter")
	if got, want := d.m.status, "created myproj"; got != want {
		t.Errorf("status: got %q; want %q", got, want)
	}
	if w, _ := d.m.current(); w.Name != "myproj" {
		t.Errorf("selected: got %q; want myproj", w.Name)
	}
}

// The name field takes no more than NameLimit characters, typed or pasted,
// and says why it stopped.
func TestNameFieldIsCapped(t *testing.T) {
	tests := []struct {
		name  string
		input func(d *driver)
	}{
		{"typed", func(d *driver) { d.typeText(strings.Repeat("a", 12)) }},
		{"pasted", func(d *driver) { d.send(tea.PasteMsg{Content: strings.Repeat("a", 12)}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t, &fakeSource{list: sampleWorkspaces()}, Options{NameLimit: 10})
			d.keys("n")
			tt.input(d)
			if got := d.m.input.Value(); got != strings.Repeat("a", 10) {
				t.Errorf("value: got %q; want 10 a's", got)
			}
			if !strings.Contains(d.screen(), "✗ at most 10 characters") {
				t.Errorf("no note of the limit:\n%s", d.screen())
			}
			d.keys("backspace")
			if strings.Contains(d.screen(), "at most 10 characters") {
				t.Errorf("the note outlived the next edit:\n%s", d.screen())
			}
		})
	}
}

func TestCreateInvalidNameIsNotCreated(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	d := newDriver(t, src, Options{})
	d.keys("n", "enter")
	if got, want := d.m.inputErr, "type a name"; got != want {
		t.Errorf("empty name: got %q; want %q", got, want)
	}
	d.typeText("B/d")
	d.keys("enter")
	if len(src.Calls()) != 0 || d.m.mode != modeNew {
		t.Errorf("invalid name: calls %q, mode %d; want no calls and the prompt open", src.Calls(), d.m.mode)
	}
	d.keys("backspace", "backspace", "backspace")
	d.typeText("good")
	d.keys("enter")
	if got, want := src.Calls(), []string{"create good"}; !slices.Equal(got, want) {
		t.Errorf("calls: got %q; want %q", got, want)
	}
}

func TestStopAndRestartConfirm(t *testing.T) {
	tests := []struct {
		name      string
		keys      []string
		wantCalls []string
	}{
		{name: "stop yes", keys: []string{"x", "y"}, wantCalls: []string{"stop api-server"}},
		{name: "stop no", keys: []string{"x", "n"}},
		{name: "restart yes", keys: []string{"down", "r", "y"}, wantCalls: []string{"restart web"}},
		{name: "stop without a session", keys: []string{"G", "x", "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{list: sampleWorkspaces()}
			d := newDriver(t, src, Options{})
			d.keys(tt.keys...)
			if got := src.Calls(); !slices.Equal(got, tt.wantCalls) {
				t.Errorf("calls: got %q; want %q", got, tt.wantCalls)
			}
		})
	}
}

func TestCloneSuccess(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	src.clone = func(ctx context.Context, name, url string, progress io.Writer) error {
		io.WriteString(progress, "Cloning into 'dotfiles'...\nReceiving objects: 100% (3/3), done.\n")
		return nil
	}
	d := newDriver(t, src, Options{})
	d.keys("c")
	d.typeText("https://github.com/alice/Dotfiles.git")
	d.keys("enter", "enter")
	if got, want := src.Calls(), []string{"clone dotfiles https://github.com/alice/Dotfiles.git"}; !slices.Equal(got, want) {
		t.Fatalf("calls: got %q; want %q", got, want)
	}
	if w, _ := d.m.current(); w.Name != "dotfiles" || d.m.mode != modeList {
		t.Errorf("after clone: selected %q, mode %d; want dotfiles in the list", w.Name, d.m.mode)
	}
}

func TestCloneFailureLeavesListUnchanged(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	src.clone = func(ctx context.Context, name, url string, progress io.Writer) error {
		return errors.New("exit status 128\nfatal: could not read Username for 'https://github.com': terminal prompts disabled")
	}
	d := newDriver(t, src, Options{})
	before := names(d.m.all)
	d.keys("c")
	d.typeText("https://github.com/alice/private")
	d.keys("enter", "enter")
	if got := names(d.m.all); !slices.Equal(got, before) {
		t.Errorf("list: got %q; want %q", got, before)
	}
	want := "clone failed: fatal: could not read Username for 'https://github.com': terminal prompts disabled"
	if d.m.status != want || !d.m.statusErr {
		t.Errorf("status: got %q (error %v); want %q", d.m.status, d.m.statusErr, want)
	}
}

func TestCloneCancelWithEsc(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	d := newDriver(t, src, Options{})
	startBlockedClone(d)
	d.keys("esc")
	if got, want := d.m.status, "clone cancelled"; got != want {
		t.Errorf("status: got %q; want %q", got, want)
	}
	if d.m.mode != modeList || d.m.job != nil {
		t.Errorf("after cancel: mode %d, job %v; want the list and no job", d.m.mode, d.m.job)
	}
	if slices.Contains(names(d.m.all), "dotfiles") {
		t.Errorf("cancelled clone added a workspace")
	}
}

func TestRefreshShowsStateChanges(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	d := newDriver(t, src, Options{})
	src.mu.Lock()
	src.list[1].State, src.list[1].Clients, src.list[1].Since = Detached, 0, before(time.Second)
	src.mu.Unlock()
	d.send(tickMsg{})
	if s := d.screen(); !strings.Contains(s, "│ detached just now") {
		t.Errorf("after a tick the first row does not show the detach:\n%s", s)
	}
}

func TestSourceErrorsNeverCrash(t *testing.T) {
	src := &fakeSource{listErr: errors.New("disk I/O error")}
	d := newDriver(t, src, Options{})
	if !strings.Contains(d.screen(), "✗ list workspaces: disk I/O error") {
		t.Errorf("error not shown:\n%s", d.screen())
	}
	d.keys("enter", "down", "d", "esc", "x", "r", "/")
	src.mu.Lock()
	src.listErr, src.list = nil, sampleWorkspaces()
	src.mu.Unlock()
	d.send(tickMsg{})
	if d.m.status != "" || len(d.m.all) != 6 {
		t.Errorf("after recovery: status %q, %d workspaces; want no status and 6", d.m.status, len(d.m.all))
	}
}

func TestStalePreviewIsKeptOnlyForItsName(t *testing.T) {
	d := newDriver(t, &fakeSource{list: sampleWorkspaces(), previews: samplePreviews()}, Options{Width: 120, Height: 30})
	d.send(previewMsg{seq: 0, name: "web", lines: []string{"old web screen"}})
	if !strings.Contains(d.screen(), "Welcome to Claude Code") {
		t.Errorf("a stale preview of another workspace replaced the selected one:\n%s", d.screen())
	}
}

func TestLineInput(t *testing.T) {
	tests := []struct {
		name string
		msgs []tea.Msg
		want string
	}{
		{name: "type", msgs: []tea.Msg{keyMsg("a"), keyMsg("b")}, want: "ab"},
		{name: "space", msgs: []tea.Msg{keyMsg("a"), tea.KeyPressMsg{Code: ' ', Text: " "}, keyMsg("b")}, want: "a b"},
		{name: "backspace", msgs: []tea.Msg{keyMsg("a"), keyMsg("b"), keyMsg("backspace")}, want: "a"},
		{name: "ctrl+u", msgs: []tea.Msg{keyMsg("a"), keyMsg("b"), keyMsg("ctrl+u")}, want: ""},
		{name: "left and insert", msgs: []tea.Msg{keyMsg("a"), keyMsg("c"), tea.KeyPressMsg{Code: tea.KeyLeft}, keyMsg("b")}, want: "abc"},
		{name: "ctrl+w", msgs: []tea.Msg{tea.PasteMsg{Content: "git clone"}, tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl}}, want: "git "},
		{name: "hostile paste", msgs: []tea.Msg{tea.PasteMsg{Content: "a\x1b]52;c;AA\x07b\nc"}}, want: "ab c"},
		{name: "alt+key ignored", msgs: []tea.Msg{tea.KeyPressMsg{Code: 'x', Text: "x", Mod: tea.ModAlt}}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in lineInput
			for _, msg := range tt.msgs {
				in.Update(msg)
			}
			if got := in.Value(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// The clone's name field starts with the Source's suggestion for the URL
// (the server's one derivation, shared with `new --clone`), and leaves a
// name the user typed alone.
func TestCloneNameIsSuggested(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	d := newDriver(t, src, Options{})
	d.keys("c")
	d.typeText("git@github.com:alice/My.Repo.git")
	d.keys("enter")
	if got, want := d.m.input.Value(), "my.repo"; d.m.mode != modeCloneName || got != want {
		t.Fatalf("name field: got %q (mode %d); want %q", got, d.m.mode, want)
	}
	// A late suggestion does not overwrite what was typed meanwhile.
	d.keys("ctrl+u")
	d.typeText("mine")
	d.send(suggestMsg{seq: d.m.validateSeq, name: "other"})
	if got := d.m.input.Value(); got != "mine" {
		t.Errorf("name field after a late suggestion: got %q; want %q", got, "mine")
	}
}

func TestStateText(t *testing.T) {
	tests := []struct {
		name string
		w    Workspace
		want string
	}{
		{name: "running alone", w: Workspace{State: Running}, want: "running"},
		{name: "running shared", w: Workspace{State: Running, Clients: 2}, want: "running · 2 attached"},
		{name: "detached", w: Workspace{State: Detached, Since: before(5 * time.Minute)}, want: "detached 5m ago"},
		{name: "exited", w: Workspace{State: Exited, ExitCode: 3, Since: before(time.Hour)}, want: "exited (3) 1h ago"},
		{name: "restored", w: Workspace{State: Restored, Since: before(time.Hour)}, want: "restored"},
		{name: "stopped", w: Workspace{State: Stopped, Since: before(49 * time.Hour)}, want: "stopped 2d ago"},
		{name: "failed", w: Workspace{State: Failed, ExitCode: 127, Since: before(2 * time.Minute), Error: "cannot start x"}, want: "failed (127) 2m ago"},
		{name: "none", w: Workspace{}, want: "no session"},
		{name: "long ago", w: Workspace{State: Detached, Since: before(100 * 24 * time.Hour)}, want: "detached 4 Dec 2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stateText(tt.w, now, " · "); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestCloneProgressWriter(t *testing.T) {
	j := newCloneJob(1, "x", "u")
	io.WriteString(j, "Cloning into 'x'...\nReceiving objects:  1% (1/100)\rReceiving objects:  2")
	if got, want := j.line(), "Receiving objects:  2"; got != want {
		t.Errorf("partial line: got %q; want %q", got, want)
	}
	io.WriteString(j, "% (2/100)\r")
	if got, want := j.line(), "Receiving objects:  2% (2/100)"; got != want {
		t.Errorf("after \\r: got %q; want %q", got, want)
	}
	io.WriteString(j, strings.Repeat("y", 10000))
	if got := len(j.line()); got > maxProgressLine {
		t.Errorf("partial line grew to %d bytes", got)
	}
}

func TestTooSmallLines(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		want []string
	}{
		{"wide", 60, 5, []string{"window too small: 60x5, warren needs 40x10"}},
		{"two lines", 39, 12, []string{"window too small", "39x12, warren needs 40x10"}},
		{"20x5", 20, 5, []string{"window too small", "20x5, need 40x10"}},
		{"narrow", 12, 5, []string{"too small", "need 40x10"}},
		{"one line", 30, 1, []string{"need 40x10"}},
		{"tiny", 6, 2, []string{"40x10"}},
		{"tinier", 3, 1, []string{"40…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tooSmallLines(tt.w, tt.h)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			for _, l := range got {
				if w := ansi.StringWidth(l); w > tt.w {
					t.Errorf("line %q is %d wide in %d", l, w, tt.w)
				}
			}
		})
	}
}

func TestCloneSummary(t *testing.T) {
	tests := []struct {
		name, progress, want string
	}{
		{"size", "Receiving objects:  50% (18/36)\rReceiving objects: 100% (36/36), 420.00 KiB | 1.20 MiB/s, done.\nResolving deltas: 100% (16/16), done.\n", "36 objects, 420.00 KiB"},
		{"quick", "Receiving objects: 100% (3/3), done.\n", "3 objects"},
		{"one", "Receiving objects: 100% (1/1), done.\n", "1 object"},
		{"remote lines are not counted", "remote: Receiving objects: 100% (9/9)\n", ""},
		{"nothing received", "Cloning into 'x'...\nwarning: You appear to have cloned an empty repository.\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newCloneJob(1, "x", "u")
			io.WriteString(j, tt.progress)
			if got := j.summary(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// Receiving and resolving progress both reach the view while they last.
func TestCloneProgressPhases(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	step := make(chan string)
	src.clone = func(ctx context.Context, name, url string, progress io.Writer) error {
		for s := range step {
			io.WriteString(progress, s)
		}
		return nil
	}
	d := newDriver(t, src, Options{})
	d.keys("c")
	d.typeText("https://github.com/alice/big.git")
	d.keys("enter")
	d.handle(keyMsg("enter"))
	for _, tt := range []struct{ write, want string }{
		{"remote: Compressing objects: 100% (24/24), done.\n", "remote: Compressing objects: 100% (24/24), done."},
		{"Receiving objects:  45% (11/24), 124.00 KiB | 70.00 KiB/s\r", "Receiving objects:  45% (11/24), 124.00 KiB | 70.00 KiB/s"},
		{"Receiving objects: 100% (24/24), 240.00 KiB | 70.00 KiB/s, done.\nResolving deltas:  40% (4/10)\r", "Resolving deltas:  40% (4/10)"},
	} {
		go func() { step <- tt.write }() // ends when the clone takes it
		d.until("progress "+tt.want, func() bool { return strings.Contains(d.screen(), tt.want) })
	}
	close(step)
	d.until("the clone to end", func() bool { return d.m.mode == modeList })
	d.settle()
	if got, want := d.m.status, "cloned into big: 24 objects, 240.00 KiB"; got != want {
		t.Errorf("status: got %q; want %q", got, want)
	}
}

func FuzzCloneProgress(f *testing.F) {
	f.Add("Receiving objects: 100% (36/36), 420.00 KiB | 1.20 MiB/s, done.\n", 7)
	f.Add("remote: x\rReceiving objects:  1% (1/100)\r", 1)
	f.Fuzz(func(t *testing.T, s string, cut int) {
		j := newCloneJob(1, "x", "u")
		b := []byte(s)
		for cut = max(cut, 1); len(b) > 0; b = b[min(cut, len(b)):] {
			j.Write(b[:min(cut, len(b))])
		}
		if len(j.line()) > maxProgressLine {
			t.Fatalf("line of %d bytes", len(j.line()))
		}
		if sum := j.summary(); sum != "" && !strings.Contains(sum, "object") {
			t.Fatalf("summary %q", sum)
		}
	})
}
