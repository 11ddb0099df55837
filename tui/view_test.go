package tui

import (
	"context"
	"errors"
	"image/color"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

func TestViewGolden(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		list  []Workspace
		setup func(d *driver)
	}{
		{name: "empty"},
		{name: "empty_wide", opts: Options{Width: 120, Height: 30}},
		{name: "list", list: sampleWorkspaces()},
		{name: "list_wide", opts: Options{Width: 120, Height: 30}, list: sampleWorkspaces()},
		{name: "list_wide_selected", opts: Options{Width: 120, Height: 30, Selected: "web"}, list: sampleWorkspaces()},
		{name: "narrow", opts: Options{Width: 44, Height: 16}, list: sampleWorkspaces()},
		{name: "too_small", opts: Options{Width: 39, Height: 12}, list: sampleWorkspaces()},
		{name: "warning", opts: Options{Warning: "shared-uid mode: sessions of all users run as one Unix user"}, list: sampleWorkspaces()},
		{name: "full_help", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("?") }},
		{name: "filter", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("/"); d.typeText("in") }},
		{name: "filter_applied", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("/"); d.typeText("in"); d.keys("enter") }},
		{name: "filter_no_match", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("/"); d.typeText("zzz") }},
		{name: "new_prompt", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("n"); d.typeText("my-proj") }},
		{name: "new_invalid", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("n"); d.typeText("My Proj") }},
		{name: "new_folded", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("n"); d.typeText("MyProj") }},
		{name: "new_capped", list: sampleWorkspaces(), setup: func(d *driver) {
			d.keys("n")
			d.send(tea.PasteMsg{Content: strings.Repeat("x", 100)})
		}},
		{name: "too_small_tiny", opts: Options{Width: 20, Height: 5}, list: sampleWorkspaces()},
		{name: "clone_done", list: sampleWorkspaces(), setup: func(d *driver) {
			d.src.clone = func(ctx context.Context, name, url string, progress io.Writer) error {
				io.WriteString(progress, "Cloning into 'dotfiles'...\nReceiving objects:  50% (18/36)\rReceiving objects: 100% (36/36), 420.00 KiB | 1.20 MiB/s, done.\nResolving deltas: 100% (16/16), done.\n")
				return nil
			}
			d.keys("c")
			d.typeText("git@github.com:alice/Dotfiles.git")
			d.keys("enter", "enter")
		}},
		{name: "new_exists", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("n"); d.typeText("web"); d.keys("enter") }},
		{name: "stop_confirm", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("x") }},
		{name: "delete_confirm", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("d"); d.typeText("api") }},
		{name: "delete_wrong_name", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("d"); d.typeText("api"); d.keys("enter") }},
		{name: "clone_url", list: sampleWorkspaces(), setup: func(d *driver) { d.keys("c"); d.typeText("git@github.com:alice/Dotfiles.git") }},
		{name: "clone_name", list: sampleWorkspaces(), setup: func(d *driver) {
			d.keys("c")
			d.typeText("https://github.com/alice/dotfiles.git")
			d.keys("enter")
		}},
		{name: "clone_progress", list: sampleWorkspaces(), setup: startBlockedClone},
		{name: "clone_failure", list: sampleWorkspaces(), setup: func(d *driver) {
			d.src.clone = func(ctx context.Context, name, url string, progress io.Writer) error {
				io.WriteString(progress, "Cloning into 'nope'...\n")
				return errors.New("git clone: exit status 128: remote: Repository not found.\nfatal: repository 'https://github.com/alice/nope.git/' not found")
			}
			d.keys("c")
			d.typeText("https://github.com/alice/nope.git")
			d.keys("enter", "enter")
		}},
		{name: "error_line", list: sampleWorkspaces(), setup: func(d *driver) {
			d.src.listErr = errors.New("database is locked")
			d.send(tickMsg{})
		}},
		{name: "op_error", list: sampleWorkspaces(), setup: func(d *driver) {
			d.src.opErr = errors.New("could not stop api-server: the server failed (its log says why)")
			d.keys("x", "y")
		}},
		{name: "many_pages", list: manyWorkspaces(12), setup: func(d *driver) { d.keys("G") }},
		{name: "hostile", opts: Options{Width: 120, Height: 30}, list: hostileWorkspaces()},
		{name: "failed", opts: Options{Width: 120, Height: 30, Selected: "cli"}, list: failedWorkspaces()},
		{name: "failed_narrow", opts: Options{Width: 60, Height: 20, Selected: "cli"}, list: failedWorkspaces()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{list: tt.list, previews: samplePreviews()}
			d := newDriver(t, src, tt.opts)
			if tt.setup != nil {
				tt.setup(d)
			}
			golden(t, tt.name, d.screen())
		})
	}
}

// startBlockedClone starts a clone that prints progress and then waits to
// be cancelled.
func startBlockedClone(d *driver) {
	d.t.Helper()
	started := make(chan struct{})
	d.src.clone = func(ctx context.Context, name, url string, progress io.Writer) error {
		io.WriteString(progress, "Cloning into 'dotfiles'...\nremote: Enumerating objects: 1234, done.\n")
		io.WriteString(progress, "Receiving objects:  12% (148/1234)\rReceiving objects:  45% (556/1234)\r")
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}
	d.keys("c")
	d.typeText("https://github.com/alice/dotfiles.git")
	d.handle(keyMsg("enter"))
	d.until("the name prompt", func() bool { return d.m.mode == modeCloneName && d.pending == 0 })
	d.handle(keyMsg("enter"))
	d.until("clone progress", func() bool { return strings.Contains(d.m.progress, "45%") })
	<-started
	job := d.m.job
	d.t.Cleanup(job.cancel)
}

func manyWorkspaces(n int) []Workspace {
	var list []Workspace
	for i := range n {
		list = append(list, Workspace{
			Name:         string(rune('a'+i)) + "-project",
			State:        Detached,
			Since:        before(time.Duration(i+1) * time.Minute),
			LastActivity: before(time.Duration(i+1) * time.Minute),
		})
	}
	return list
}

// failedWorkspaces has a session that could not start, with no screen of
// its own, beside one that runs.
func failedWorkspaces() []Workspace {
	return []Workspace{
		{Name: "cli", State: Failed, ExitCode: 127, Since: before(time.Minute), LastActivity: before(time.Minute),
			Error: "cannot start nosuchprog: not found on the server's PATH"},
		{Name: "api-server", State: Running, Clients: 1, LastActivity: before(20 * time.Second), Repo: true, Branch: "main"},
	}
}

func hostileWorkspaces() []Workspace {
	return []Workspace{
		{Name: "clip\x1b]52;c;ZWNobyBwd25lZA==\x07board", State: Running, Clients: 1, LastActivity: before(time.Minute),
			Title: "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\\x1bc\x1b[6n", Repo: true, Branch: "ma\u202ein\u202c", Dirty: true},
		{Name: "unterminated\x1b]0;title", State: Detached, Since: before(time.Minute), LastActivity: before(2 * time.Minute)},
		{Name: "c1\u009b31mred\x9b2J", State: Exited, ExitCode: 1, LastActivity: before(3 * time.Minute)},
		{Name: "broken", State: Failed, ExitCode: 1, LastActivity: before(3 * time.Minute),
			Error: "sh exited at once with code 1: \x1b]0;evil\x07\u009b2J\u202eevil"},
		{Name: "zero\u200bwidth\ufeff\u2066bidi\u2069", LastActivity: before(4 * time.Minute)},
		{Name: strings.Repeat("long", 75), LastActivity: before(5 * time.Minute)},
		{Name: "工作区工作区工作区工作区工作区工作区工作区工作区工作区工作区工作区工作区", LastActivity: before(6 * time.Minute)},
	}
}

// TestViewHostileIsSafe checks the raw view, escape sequences included: the
// only sequences in it are the theme's SGR, and nothing from a hostile name,
// title, branch or preview reaches the terminal.
func TestViewHostileIsSafe(t *testing.T) {
	src := &fakeSource{list: hostileWorkspaces(), previews: map[string][]string{
		hostileWorkspaces()[0].Name: {"\x1b]52;c;AAAA\x07screen", "\x1b[?1049h\x1b[2J\x9b6n", "\u202eevil"},
	}}
	d := newDriver(t, src, Options{Width: 120, Height: 30})
	for _, seq := range sequences(d.raw()) {
		if !isSGR(seq) {
			t.Errorf("view contains %q", seq)
		}
	}
	for i, line := range strings.Split(stripSGR(d.raw()), "\n") {
		if r, ok := checkSafe(line); !ok {
			t.Errorf("view line %d contains %U: %q", i, r, line)
		}
	}
}

// sequences returns every ESC sequence in s: ESC, '[' and up to the final
// byte, or ESC and the next byte.
func sequences(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			continue
		}
		j := i + 1
		if j < len(s) && s[j] == '[' {
			j++
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
		}
		j = min(j+1, len(s))
		out = append(out, s[i:j])
		i = j - 1
	}
	return out
}

func isSGR(seq string) bool {
	if !strings.HasPrefix(seq, "\x1b[") || !strings.HasSuffix(seq, "m") {
		return false
	}
	return strings.Trim(seq[2:len(seq)-1], "0123456789;:") == ""
}

func stripSGR(s string) string {
	for _, seq := range sequences(s) {
		if isSGR(seq) {
			s = strings.Replace(s, seq, "", 1)
		}
	}
	return s
}

// hasColour reports an SGR that sets a foreground or background colour.
func hasColour(s string) bool {
	for _, seq := range sequences(s) {
		if !isSGR(seq) {
			continue
		}
		for _, p := range strings.Split(seq[2:len(seq)-1], ";") {
			switch {
			case p == "38", p == "48", p == "39", p == "49":
				return true
			case len(p) == 2 && (p[0] == '3' || p[0] == '4' || p[0] == '9'):
				return true
			case len(p) == 3 && p[:2] == "10":
				return true
			}
		}
	}
	return false
}

func TestViewColourProfiles(t *testing.T) {
	tests := []struct {
		name       string
		profile    colorprofile.Profile
		wantColour bool
	}{
		{name: "true colour", profile: colorprofile.TrueColor, wantColour: true},
		{name: "256 colours", profile: colorprofile.ANSI256, wantColour: true},
		{name: "16 colours", profile: colorprofile.ANSI, wantColour: true},
		{name: "NO_COLOR (ascii)", profile: colorprofile.ASCII, wantColour: false},
		{name: "no tty", profile: colorprofile.NoTTY, wantColour: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{list: sampleWorkspaces(), previews: samplePreviews()}
			d := newDriver(t, src, Options{Width: 120, Height: 30, Profile: tt.profile})
			d.keys("n")
			d.typeText("Bad Name")
			raw := d.raw()
			if got := hasColour(raw); got != tt.wantColour {
				t.Errorf("colour SGR in view: got %v; want %v", got, tt.wantColour)
			}
			if tt.profile == colorprofile.ANSI && strings.Contains(raw, "38;5;") || strings.Contains(raw, "38;2;") && tt.profile != colorprofile.TrueColor {
				t.Errorf("view has colours beyond the %s profile", tt.profile)
			}
		})
	}
}

// TestViewNoColorCustomStyles: custom Styles with colours still render
// without colour when the session asked for none.
func TestViewNoColorCustomStyles(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	d := newDriver(t, src, Options{Profile: colorprofile.ASCII, Styles: DefaultStyles(true)})
	if hasColour(d.raw()) {
		t.Errorf("colour SGR in view with ASCII profile: %q", d.raw())
	}
}

func TestViewResize(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces(), previews: samplePreviews()}
	d := newDriver(t, src, Options{})
	tests := []struct {
		name         string
		w, h         int
		wantPreview  bool
		wantTooSmall bool
	}{
		{name: "wide", w: 120, h: 30, wantPreview: true},
		{name: "narrow", w: 99, h: 30},
		{name: "exactly wide", w: 100, h: 24, wantPreview: true},
		{name: "too narrow", w: 39, h: 24, wantTooSmall: true},
		{name: "too short", w: 80, h: 9, wantTooSmall: true},
		{name: "minimum", w: 40, h: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.send(tea.WindowSizeMsg{Width: tt.w, Height: tt.h})
			s := d.screen()
			lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
			if gotPreview := strings.Contains(s, "Welcome to Claude Code"); gotPreview != tt.wantPreview {
				t.Errorf("preview shown: got %v; want %v", gotPreview, tt.wantPreview)
			}
			if gotSmall := strings.Contains(s, "window too small"); gotSmall != tt.wantTooSmall {
				t.Errorf("too small: got %v; want %v", gotSmall, tt.wantTooSmall)
			}
			if len(lines) > tt.h {
				t.Errorf("view has %d lines; want at most %d", len(lines), tt.h)
			}
			for i, l := range lines {
				if w := len([]rune(l)); w > tt.w {
					t.Errorf("line %d is %d wide; want at most %d: %q", i, w, tt.w, l)
				}
			}
		})
	}
}

func TestViewFollowsTerminalReports(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces()}
	d := newDriver(t, src, Options{})
	d.send(tea.BackgroundColorMsg{Color: color.White})
	if d.m.dark {
		t.Errorf("a white background left the dark theme on")
	}
	d.send(tea.ColorProfileMsg{Profile: colorprofile.ASCII})
	if hasColour(d.raw()) {
		t.Errorf("colour SGR after the terminal reported an ASCII profile")
	}
}
