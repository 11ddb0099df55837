package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/warren-ssh/warren/internal/commands"
	"github.com/warren-ssh/warren/internal/workspace"
	"github.com/warren-ssh/warren/tui"
)

// pickerSource is the picker's view of one login's workspaces.
type pickerSource struct {
	w     workspaceService
	login string
}

var _ tui.Source = pickerSource{}

var pickerStates = map[string]tui.SessionState{
	commands.StateNone:     tui.NoSession,
	commands.StateRunning:  tui.Running,
	commands.StateDetached: tui.Detached,
	commands.StateExited:   tui.Exited,
	commands.StateRestored: tui.Restored,
	commands.StateStopped:  tui.Stopped,
	commands.StateFailed:   tui.Failed,
}

func (p pickerSource) Workspaces(ctx context.Context) ([]tui.Workspace, error) {
	views, err := p.w.views(ctx, p.login)
	if err != nil {
		return nil, err
	}
	out := make([]tui.Workspace, len(views))
	for i, v := range views {
		out[i] = tui.Workspace{Name: v.Name, State: pickerStates[v.State], Clients: v.Clients, ExitCode: v.ExitCode,
			Since: v.Since, LastActivity: v.LastActivity, Repo: v.Repo, Branch: v.Branch, Dirty: v.Dirty, Title: v.Title, Error: v.Error}
	}
	return out, nil
}

// Preview returns the bottom of the session's screen, where programs such
// as Claude keep their prompt, cropped to cols x rows.
func (p pickerSource) Preview(name string, cols, rows int) []string {
	lines, ok := p.w.s.sessions.Preview(p.login, name)
	if !ok || rows <= 0 || cols <= 0 {
		return nil
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > rows {
		lines = lines[len(lines)-rows:]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Truncate(tui.Sanitize(l), cols, "")
	}
	return out
}

// ValidateName returns the name a new workspace called name would have,
// or what is wrong with it in words for the field that shows it.
func (p pickerSource) ValidateName(name string) (string, error) {
	n, err := workspace.Normalize(name)
	var ne *workspace.NameError
	if errors.As(err, &ne) {
		return "", errors.New(ne.Short())
	}
	if err != nil {
		return "", err
	}
	dir, err := p.w.s.workspaces.Dir(p.login, n)
	if err != nil {
		return "", p.shown("check "+n, err)
	}
	if _, err := os.Lstat(dir); err == nil {
		return "", fmt.Errorf("%s already exists", n)
	}
	return n, nil
}

// SuggestName is the name `new --clone URL` gives a clone without a name.
func (p pickerSource) SuggestName(url string) string { return workspace.NameFromURL(url) }

func (p pickerSource) Create(ctx context.Context, name string) (string, error) {
	made, err := p.w.Create(ctx, p.login, name)
	return made, p.shown("create "+name, err)
}

func (p pickerSource) Clone(ctx context.Context, name, url string, progress io.Writer) (string, error) {
	made, err := p.w.Clone(ctx, p.login, name, url, progress)
	if ctx.Err() != nil {
		return made, err // cancelled: the picker says so itself
	}
	return made, p.shown("clone into "+name, err)
}

func (p pickerSource) Delete(ctx context.Context, name string) error {
	return p.shown("delete "+name, p.w.Delete(ctx, p.login, name))
}
func (p pickerSource) Stop(ctx context.Context, name string) error {
	return p.shown("stop the session in "+name, p.w.Stop(ctx, p.login, name))
}
func (p pickerSource) Restart(ctx context.Context, name string) error {
	return p.shown("restart the session in "+name, p.w.Restart(ctx, p.login, name))
}

// shown turns err into the one line the picker shows, as the SSH commands
// do: the message meant for the user when it has one, "not found", or, for
// a failure of the server, what could not be done, the cause going to the
// log.
func (p pickerSource) shown(what string, err error) error {
	if err == nil {
		return nil
	}
	if msg, ok := commands.UserMessage(err); ok {
		return errors.New(msg)
	}
	if errors.Is(err, commands.ErrNotFound) {
		return fmt.Errorf("could not %s: not found", what)
	}
	p.w.s.logger.Error("picker operation failed", "login", p.login, "op", what, "err", err)
	msg, _ := commands.UserMessage(&commands.ServerError{Msg: "could not " + what, Err: err})
	return errors.New(msg)
}

// chanReader reads a leased input channel as an io.Reader for bubbletea.
// It returns io.EOF once the lease ends, so the program's input goroutine
// ends with it and never swallows keystrokes meant for the next owner.
type chanReader struct {
	in  <-chan []byte
	buf []byte
}

func (r *chanReader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		chunk, ok := <-r.in
		if !ok {
			return 0, io.EOF
		}
		r.buf = chunk
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// runPicker shows the picker on st until the user attaches or quits.
func (s *Server) runPicker(ctx context.Context, st *sessionTerminal, selected string) (tui.Result, error) {
	in, release := st.t.lease()
	defer release()
	win := st.t.size()
	profile := colorprofile.Env(st.env)
	warning := s.pickerWarning
	if st.id.Admin {
		// An admin is told of key conflicts, which only an admin resolves.
		if n := s.conflictNotice(); n != "" && warning != "" {
			warning = n + " · " + warning
		} else if n != "" {
			warning = n
		}
	}
	m := tui.New(tui.Options{
		Source:            pickerSource{w: workspaceService{s}, login: st.id.Login},
		Login:             st.id.Login,
		Selected:          selected,
		Warning:           warning,
		Width:             win.Cols,
		Height:            win.Rows,
		HasDarkBackground: true,
		Profile:           profile,
		Context:           ctx,
		NameLimit:         workspace.MaxNameLen,
	})
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := tea.NewProgram(m,
		tea.WithContext(pctx),
		tea.WithInput(&chanReader{in: in}),
		tea.WithOutput(crlfWriter{st.out}),
		tea.WithEnvironment(st.env),
		tea.WithWindowSize(win.Cols, win.Rows),
		tea.WithColorProfile(profile),
		tea.WithoutSignalHandler(),
	)
	resized := make(chan struct{})
	// The resize forwarder ends when the program has returned.
	go func() {
		defer close(resized)
		for {
			select {
			case w := <-st.t.resize:
				p.Send(tea.WindowSizeMsg{Width: w.Cols, Height: w.Rows})
			case <-pctx.Done():
				return
			}
		}
	}()
	_, err := p.Run()
	cancel()
	<-resized
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return tui.Result{}, fmt.Errorf("picker: %w", err)
	}
	return m.Result(), nil
}

// crlfWriter turns "\n" into "\r\n" on the way to the client. The picker's
// renderer, seeing no local TTY, counts on the terminal driver's ONLCR to
// return the cursor to column 0 on a line feed; an SSH channel has no such
// driver, so warren does it, as a PTY would.
type crlfWriter struct {
	w interface{ Write([]byte) (int, error) }
}

func (c crlfWriter) Write(p []byte) (int, error) {
	if bytes.IndexByte(p, '\n') < 0 {
		return c.w.Write(p)
	}
	out := make([]byte, 0, len(p)+len(p)/16)
	for _, b := range p {
		if b == '\n' {
			out = append(out, '\r')
		}
		out = append(out, b)
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
