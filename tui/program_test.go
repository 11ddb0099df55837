package tui

import (
	"bytes"
	"context"
	"go/parser"
	"go/token"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// TestProgram runs the picker in a real bubbletea program, with the real
// refresh tick: the selection moves, enter attaches, and the program ends.
func TestProgram(t *testing.T) {
	src := &fakeSource{list: sampleWorkspaces(), previews: samplePreviews()}
	m := New(Options{Source: src, Login: "alice", Width: 120, Height: 30, Refresh: 10 * time.Millisecond, Profile: colorprofile.ANSI})
	in, feed := io.Pipe()
	out := &watchWriter{needle: "api-server", seen: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx),
		tea.WithWindowSize(120, 30), tea.WithoutSignalHandler(), tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	go func() { // ends when the keys are written or the pipe is closed
		defer feed.Close()
		select { // press keys once the list is on screen
		case <-out.seen:
		case <-ctx.Done():
		}
		io.WriteString(feed, "j")
		io.WriteString(feed, "\r")
	}()
	if _, err := p.Run(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if got, want := m.Result(), (Result{ActionAttach, "web"}); got != want {
		t.Errorf("result: got %+v; want %+v", got, want)
	}
	select {
	case <-out.seen:
	default:
		t.Errorf("output never showed the list")
	}
}

// watchWriter collects output and closes seen once needle appears in it.
type watchWriter struct {
	needle string
	seen   chan struct{}

	// mu guards the following.
	mu   sync.Mutex
	buf  bytes.Buffer
	done bool
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done && strings.Contains(w.buf.String(), w.needle) {
		w.done = true
		close(w.seen)
	}
	return len(p), nil
}

// TestImportsNoWarrenPackage keeps tui a leaf.
func TestImportsNoWarrenPackage(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/warren-ssh/warren") {
				t.Errorf("%s imports %s; tui must import no warren package", name, path)
			}
			if path == "os/exec" || path == "database/sql" || (path == "os" && !strings.HasSuffix(name, "_test.go")) {
				t.Errorf("%s imports %s; tui never execs or touches files or the database", name, path)
			}
		}
	}
}
