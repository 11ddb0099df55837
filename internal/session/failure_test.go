package session

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartFailure: a program that cannot start fails Attach and Start with
// a *StartError carrying a shell's code and one line for the user, leaves
// the session in StateFailed with the same code and reason, and emits
// EventFailed; nothing runs and nothing is counted against MaxPerLogin.
func TestStartFailure(t *testing.T) {
	dir := t.TempDir()
	noExec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noExec, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		argv       []string
		ensure     error
		wantCode   int
		wantReason string
	}{
		{name: "not on PATH", argv: []string{"warren-test-nosuchprog"}, wantCode: 127,
			wantReason: "cannot start warren-test-nosuchprog: not found on the server's PATH"},
		{name: "absolute path gone", argv: []string{filepath.Join(dir, "gone")}, wantCode: 127,
			wantReason: "cannot start " + filepath.Join(dir, "gone") + ": not found"},
		{name: "not executable", argv: []string{noExec}, wantCode: 126,
			wantReason: "cannot start " + noExec + ": not executable"},
		{name: "a directory", argv: []string{dir}, wantCode: 126,
			wantReason: "cannot start " + dir + ": is a directory"},
		{name: "workspace cannot be made", argv: []string{"cat"}, ensure: errors.New("ensure workspace w: not a workspace"),
			wantCode: 255, wantReason: "cannot start cat: ensure workspace w: not a workspace"},
		{name: "refused with its own code", argv: []string{"cat"}, ensure: fmt.Errorf("ensure: %w", &StartError{Code: CodeRefused, Reason: "cannot start a session: over quota", Err: errors.New("quota")}),
			wantCode: CodeRefused, wantReason: "cannot start a session: over quota"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, fk := newTestManager(t, func(o *Options) {
				o.Command = tt.argv
				if tt.ensure != nil {
					o.EnsureWorkspace = func(string, string) error { return tt.ensure }
				}
			})
			sp := Spec{Login: "alice", Workspace: "w"}
			for _, call := range []struct {
				name string
				run  func() error
			}{
				{"Attach", func() error {
					_, err := m.Attach(t.Context(), sp, Client{Input: make(chan []byte), Output: &termOut{}, Window: win80})
					return err
				}},
				{"Start", func() error { return m.Start(sp) }},
			} {
				err := call.run()
				var se *StartError
				if !errors.As(err, &se) {
					t.Fatalf("%s: got %v; want a *StartError", call.name, err)
				}
				if se.Code != tt.wantCode || se.Reason != tt.wantReason {
					t.Errorf("%s: got code %d reason %q; want code %d reason %q", call.name, se.Code, se.Reason, tt.wantCode, tt.wantReason)
				}
				in, _ := m.Get("alice", "w")
				if in.State != StateFailed || in.ExitCode != tt.wantCode || in.Error != tt.wantReason || in.PID != 0 || in.ID == "" {
					t.Errorf("%s: Info = %+v; want failed with code %d and the reason, an id and no pid", call.name, in, tt.wantCode)
				}
			}
			if got, want := strings.Join(fk.eventKinds("w"), ","), "failed,failed"; got != want {
				t.Errorf("events = %q; want %q", got, want)
			}
			fk.mu.Lock()
			last := fk.events[len(fk.events)-1]
			fk.mu.Unlock()
			if last.ExitCode != tt.wantCode || last.Error != tt.wantReason || last.ID == "" {
				t.Errorf("EventFailed = %+v; want code %d, the reason and the id", last, tt.wantCode)
			}
			m.mu.Lock()
			held := m.running["alice"]
			m.mu.Unlock()
			if held != 0 {
				t.Errorf("running count after failed starts: got %d; want 0", held)
			}
		})
	}
}

// TestStartFailureThenSuccess: a workspace that could not be made fails the
// start; once it can, the next start runs and the failure is forgotten.
func TestStartFailureThenSuccess(t *testing.T) {
	fail := true
	m, fk := newTestManager(t, func(o *Options) {
		o.EnsureWorkspace = func(string, string) error {
			if fail {
				return errors.New("no space left on device")
			}
			return nil
		}
	})
	sp := Spec{Login: "alice", Workspace: "w"}
	var se *StartError
	if err := m.Start(sp); !errors.As(err, &se) || se.Code != CodeStartFailed {
		t.Fatalf("Start: got %v; want a *StartError with code %d", err, CodeStartFailed)
	}
	failedID := m.List("alice")[0].ID
	fail = false
	if err := m.Start(sp); err != nil {
		t.Fatalf("Start after the workspace was fixed: %v", err)
	}
	in, _ := m.Get("alice", "w")
	if in.State != StateRunning || in.Error != "" || in.ExitCode != 0 || in.ID != failedID {
		t.Errorf("Info = %+v; want running, no error, the same conversation id %s", in, failedID)
	}
	if got, want := strings.Join(fk.eventKinds("w"), ","), "failed,started"; got != want {
		t.Errorf("events = %q; want %q", got, want)
	}
}

// TestExitAtOnce: a program that ends by itself within startFailWindow with
// a non-zero code, before anyone typed, failed to start: the reason is its
// code and last line, shown to attached clients and kept in the history.
// Exiting 0 at once is an exit.
func TestExitAtOnce(t *testing.T) {
	tests := []struct {
		name       string
		argv       []string
		wantState  State
		wantCode   int
		wantReason string
		wantLine   string
	}{
		{
			name:       "shim cannot exec",
			argv:       []string{"/bin/sh", "-c", `printf 'warren: cannot start /opt/claude: permission denied\r\n'; exit 127`},
			wantState:  StateFailed,
			wantCode:   127,
			wantReason: "/bin/sh exited at once with code 127: cannot start /opt/claude: permission denied",
			wantLine:   "[warren: w could not start: /bin/sh exited at once with code 127: cannot start /opt/claude: permission denied]\r\n",
		},
		{
			name:       "silent",
			argv:       []string{"/bin/sh", "-c", "exit 1"},
			wantState:  StateFailed,
			wantCode:   1,
			wantReason: "/bin/sh exited at once with code 1",
			wantLine:   "[warren: w could not start: /bin/sh exited at once with code 1]\r\n",
		},
		{
			name:       "hostile last line",
			argv:       []string{"/bin/sh", "-c", `printf 'bad \033]0;x\007 news\r\n'; exit 2`},
			wantState:  StateFailed,
			wantCode:   2,
			wantReason: "/bin/sh exited at once with code 2: bad ?]0;x? news",
			wantLine:   "[warren: w could not start: /bin/sh exited at once with code 2: bad ?]0;x? news]\r\n",
		},
		{
			name:      "zero",
			argv:      prog("exit", "0"),
			wantState: StateExited,
			wantLine:  "[warren: w exited with code 0]\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, fk := newTestManager(t, func(o *Options) { o.Command = tt.argv })
			c := attachClient(t, m, Spec{Login: "alice", Workspace: "w"}, win80, nil)
			res := c.wait(t)
			if res.Reason != Exited || res.ExitCode != tt.wantCode {
				t.Errorf("Attach: got %v code %d; want %v code %d", res.Reason, res.ExitCode, Exited, tt.wantCode)
			}
			if !strings.HasSuffix(c.out.String(), tt.wantLine) {
				t.Errorf("output = %q; want it to end with %q", c.out.String(), tt.wantLine)
			}
			in, _ := m.Get("alice", "w")
			if in.State != tt.wantState || in.ExitCode != tt.wantCode || in.Error != tt.wantReason {
				t.Errorf("Info = %+v; want %v, code %d, error %q", in, tt.wantState, tt.wantCode, tt.wantReason)
			}
			if !strings.Contains(string(fk.hist("alice", "w").AppendTo(nil)), tt.wantLine) {
				t.Errorf("status line not in the history")
			}
			kinds := fk.eventKinds("w")
			if want := map[State]string{StateFailed: "failed", StateExited: "exited"}[tt.wantState]; !strings.Contains(strings.Join(kinds, ","), want) {
				t.Errorf("events = %q; want one %q", kinds, want)
			}
		})
	}
}

// TestFailedAtOnce: the rule itself.
func TestFailedAtOnce(t *testing.T) {
	t0 := time.Now()
	tests := []struct {
		name  string
		code  int
		typed bool
		after time.Duration
		want  bool
	}{
		{name: "not found at once", code: 127, after: 50 * time.Millisecond, want: true},
		{name: "error at once", code: 1, after: time.Second, want: true},
		{name: "zero at once", code: 0, after: 50 * time.Millisecond},
		{name: "after input", code: 3, typed: true, after: 50 * time.Millisecond},
		{name: "later", code: 127, after: startFailWindow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &run{started: t0}
			r.typed.Store(tt.typed)
			if got := failedAtOnce(r, tt.code, t0.Add(tt.after)); got != tt.want {
				t.Errorf("failedAtOnce: got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestLastLine(t *testing.T) {
	long := strings.Repeat("é", maxReasonRunes+10)
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{name: "last non-blank", lines: []string{"one", "two  ", "", "   "}, want: "two"},
		{name: "shim prefix", lines: []string{"warren: cannot start /x: no such file or directory"}, want: "cannot start /x: no such file or directory"},
		{name: "controls", lines: []string{"a\x1b[31mb\x9bc\td"}, want: "a?[31mb?c?d"},
		{name: "long", lines: []string{long}, want: strings.Repeat("é", maxReasonRunes) + "…"},
		{name: "nothing", lines: []string{"", " "}, want: ""},
		{name: "none", lines: nil, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lastLine(tt.lines); got != tt.want {
				t.Errorf("lastLine: got %q; want %q", got, tt.want)
			}
		})
	}
}

func FuzzLastLine(f *testing.F) {
	f.Add("warren: cannot start /x: permission denied\r\nmore")
	f.Add("\x1b]0;title\x07\x9b2J")
	f.Fuzz(func(t *testing.T, s string) {
		got := lastLine(strings.Split(s, "\n"))
		for _, r := range got {
			if r < 0x20 || r >= 0x7f && r <= 0x9f {
				t.Fatalf("lastLine(%q) = %q: holds a control character", s, got)
			}
		}
		if n := len([]rune(got)); n > maxReasonRunes+1 {
			t.Fatalf("lastLine(%q) is %d runes long", s, n)
		}
	})
}

// userErr is an error that carries a message meant for the user, as the
// workspace package's refusals do.
type userErr struct{ msg string }

func (e userErr) Error() string       { return "internal detail: " + e.msg }
func (e userErr) UserMessage() string { return e.msg }

func TestSetupFailureReason(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"plain", errors.New("open pty: no space left on device"), "cannot start claude: open pty: no space left on device"},
		{"user message in the chain", fmt.Errorf("ensure workspace w: %w", userErr{"w is not a workspace; remove it"}), "cannot start claude: w is not a workspace; remove it"},
		{"hostile", errors.New("bad \x1b]0;x\a name"), "cannot start claude: bad ?]0;x? name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			se := setupFailure("claude", tt.err)
			if se.Reason != tt.want || se.Code != CodeStartFailed || se.Err != tt.err {
				t.Errorf("setupFailure = %q (code %d); want %q (code %d)", se.Reason, se.Code, tt.want, CodeStartFailed)
			}
		})
	}
}
