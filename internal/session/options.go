package session

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"time"
)

// Screen is the terminal screen model of one session. *screen.Screen
// satisfies it. It is not safe for concurrent use: the session calls it only
// under its lock.
type Screen interface {
	// Write feeds program output into the model.
	Write(p []byte) (int, error)
	// Resize changes the model's size.
	Resize(cols, rows int)
	// Size returns the model's size.
	Size() (cols, rows int)
	// AppendRepaint appends bytes that make a terminal of the same size show
	// the current screen, modes and cursor.
	AppendRepaint(dst []byte) []byte
	// AppendAttach appends what a newly attached terminal gets: the last n
	// scrolled-off lines, written so that they land in the terminal's own
	// scrollback, then the repaint.
	AppendAttach(dst []byte, n int) []byte
	// Lines returns the visible text, one string per row.
	Lines() []string
	// Title returns the window title set by the program (untrusted).
	Title() string
	// SetReplyFunc makes the model answer terminal queries (DA1, DSR) itself
	// through fn; nil stops it.
	SetReplyFunc(fn func(reply []byte))
}

// History is the on-disk history ring of one workspace. *history.Ring
// satisfies it. It is safe for concurrent use.
type History interface {
	// Write appends to the in-memory ring; it never blocks.
	Write(p []byte) (int, error)
	// Flush writes the memory contents to disk.
	Flush() error
	// Run flushes in the background and returns after a final flush when ctx ends.
	Run(ctx context.Context)
	// Close releases the ring.
	Close() error
	// AppendTo appends the memory contents, oldest first.
	AppendTo(dst []byte) []byte
}

// Options configure a Manager. Command and NewScreen are required.
type Options struct {
	// Command is the program's argv, already split, e.g. ["claude"].
	Command []string
	// StartArgs are appended for a new conversation; "{session}" is replaced
	// by the session ID (claude: ["--session-id", "{session}"]).
	StartArgs []string
	// ResumeArgs are appended when restoring (claude: ["--resume", "{session}"]).
	ResumeArgs []string
	// Conversation says what the program has kept of conversation sp.ID
	// (for claude: its transcript), which decides how it starts: resumed
	// whenever there is something to resume, under a new ID when the old
	// one can be neither resumed nor started again. Nil means the program
	// keeps nothing warren can read: ResumeArgs apply to a restore and to a
	// program started again after it ended, StartArgs otherwise.
	Conversation func(sp Spec) Conversation
	// WorkspaceDir returns the program's working directory; the Manager
	// creates it 0700 on first use. Nil means the server's working directory.
	WorkspaceDir func(login, workspace string) string
	// HomeDir returns HOME for the login; the Manager creates it 0700.
	// Nil means no HOME.
	HomeDir func(login string) string
	// LoginEnv returns extra KEY=VALUE entries for a login's programs, such
	// as SSH_AUTH_SOCK; nil adds none.
	LoginEnv func(login string) []string
	// EnsureWorkspace, when set, makes the workspace directory (or checks
	// it) before each start, e.g. as the login's own uid; an error fails
	// the start (StateFailed) like any other reason the program cannot
	// start. A *StartError it returns is the failure as it is: its own
	// code and reason (a start refused for the login's disk quota).
	EnsureWorkspace func(login, workspace string) error
	// Confine, when set, readies cmd before it starts: it may set
	// cmd.SysProcAttr (credentials, a cgroup; the Manager adds its own
	// Setsid, Setctty and Pdeathsig) and rewrite cmd.Path and cmd.Args to
	// start the program through a wrapper. It runs before the workspace and
	// HOME directories are checked, so it may create them. The returned
	// func, if any, is called once the process has started or failed to.
	Confine func(login string, cmd *exec.Cmd) (started func(), err error)
	// EnvNames are extra variables copied from the server environment
	// (e.g. ANTHROPIC_API_KEY). Nothing else leaks.
	EnvNames []string
	// Getenv looks up the server environment. Default os.LookupEnv.
	Getenv func(string) (string, bool)
	// NewScreen makes the screen model of a new process.
	NewScreen func(cols, rows int) Screen
	// OpenHistory opens the history ring of a workspace. Nil means none.
	OpenHistory func(login, workspace string) (History, error)
	// AttachScrollback is how many lines of scrollback are written before the
	// repaint on attach. Default 1000; negative means none.
	AttachScrollback int
	// DetachKey detaches a client. Default 0x1c (ctrl-\). Pressed twice in a
	// row it sends one through.
	DetachKey byte
	// SizePolicy is "latest" (default: the most recently attached or typing
	// client owns the size) or "smallest" (the minimum over clients).
	SizePolicy string
	// ResizeDebounce is the minimum time between two PTY resizes. Default
	// 100ms. The last requested size is always applied; a resize to the
	// current size is skipped.
	ResizeDebounce time.Duration
	// StopGrace is how long Stop and Shutdown wait after SIGHUP before they
	// SIGKILL the process group. Default 10s.
	StopGrace time.Duration
	// MaxPerLogin bounds the running sessions per login. Default 8.
	MaxPerLogin int
	// ClientQueue bounds each client's output queue in bytes. A client that
	// falls further behind is resynchronised from the screen model.
	// Default 1 MiB.
	ClientQueue int
	// OnEvent is told about state changes, without locks held, on the
	// goroutine where they happen. It must not block for long. A program's
	// EventExited or EventStopped comes before the EventDetached of its
	// clients.
	OnEvent func(Event)
	// Logger receives the package's logs. Default: discard.
	Logger *slog.Logger
}

// Size policies.
const (
	SizeLatest   = "latest"
	SizeSmallest = "smallest"
)

func (o Options) withDefaults() (Options, error) {
	if len(o.Command) == 0 || o.Command[0] == "" {
		return o, fmt.Errorf("new manager: %w: Command is empty", ErrInvalidOptions)
	}
	if o.NewScreen == nil {
		return o, fmt.Errorf("new manager: %w: NewScreen is nil", ErrInvalidOptions)
	}
	switch o.SizePolicy {
	case "":
		o.SizePolicy = SizeLatest
	case SizeLatest, SizeSmallest:
	default:
		return o, fmt.Errorf("new manager: %w: size policy %q", ErrInvalidOptions, o.SizePolicy)
	}
	if o.Getenv == nil {
		o.Getenv = os.LookupEnv
	}
	if o.AttachScrollback == 0 {
		o.AttachScrollback = 1000
	}
	if o.DetachKey == 0 {
		o.DetachKey = 0x1c
	}
	if o.ResizeDebounce <= 0 {
		o.ResizeDebounce = 100 * time.Millisecond
	}
	if o.StopGrace <= 0 {
		o.StopGrace = 10 * time.Second
	}
	if o.MaxPerLogin <= 0 {
		o.MaxPerLogin = 8
	}
	if o.ClientQueue <= 0 {
		o.ClientQueue = 1 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o, nil
}

// Conversation is what a program kept of one conversation ID.
type Conversation int

// Conversations.
const (
	// ConversationNone: nothing is kept; StartArgs start it under its ID.
	ConversationNone Conversation = iota + 1
	// ConversationSaved: there is a conversation to resume with
	// ResumeArgs, whatever ended the program that had it.
	ConversationSaved
	// ConversationUnusable: the ID is taken but holds nothing to resume
	// (Claude: a transcript written before its first message), so that
	// the program refuses both to resume it and to start it again. A new
	// conversation starts under a new ID.
	ConversationUnusable
)

// Spec names a session and how to start it.
type Spec struct {
	Login, Workspace string
	// ID is the conversation UUID; empty means a new one.
	ID string
	// Restore starts with ResumeArgs (when Conversation agrees).
	Restore bool
	// Window is the size to start at when no client is attached.
	Window Window
}

// Client is one attached terminal.
type Client struct {
	// Input carries bytes from the SSH channel's single reader; the server
	// owns that reader. Attach takes ownership of every slice it receives.
	// Closed when the connection ends. Attach reads it only while it runs:
	// what it has not read stays there for the terminal's next owner.
	Input <-chan []byte
	// Typed is input the client sent before this attach (bytes left over
	// by the terminal's previous owner); it is handled first, as if it had
	// just arrived on Input. Attach takes ownership of it.
	Typed []byte
	// Output is the SSH channel. Writes may block for a long time; they
	// happen only on this client's own writer goroutine.
	Output io.Writer
	// Window is the client's size at attach.
	Window Window
	// Resize carries the client's window changes. May be nil.
	Resize <-chan Window
	// Term is the client's TERM; invalid values become xterm-256color.
	Term string
}

// Reason says why Attach returned.
type Reason int

// Reasons.
const (
	Detached     Reason = iota + 1 // the detach key was pressed
	Disconnected                   // Input was closed or ctx ended
	Exited                         // the program ended
	Stopped                        // Stop or Shutdown
)

func (r Reason) String() string {
	switch r {
	case Detached:
		return "detached"
	case Disconnected:
		return "disconnected"
	case Exited:
		return "exited"
	case Stopped:
		return "stopped"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Result is what Attach returns.
type Result struct {
	Reason   Reason
	ExitCode int // when Exited or Stopped
	// Rest holds input bytes that followed the detach key, for whoever owns
	// the terminal next.
	Rest []byte
	// FreeRow, when Detached, is the first row (1-based) of the client's
	// terminal below everything the session showed on it, where a notice
	// covers nothing; past the last row it means "scroll one line first".
	// 0 when it is not known (the client was sent a view of another size):
	// the bottom row is then the safe place.
	FreeRow int
}

// State is a session's lifecycle state.
type State int

// States.
const (
	StateStarting State = iota + 1
	StateRunning
	StateExited  // the program ended on its own
	StateStopped // Stop or Shutdown ended it
	// StateFailed: the program could not be started, or it ended at once
	// by itself with a non-zero code before anyone typed into it; Info.Error
	// says why and Info.ExitCode is 127 (not found), 126 (not executable),
	// 255 (anything else before it ran) or the code it exited with.
	StateFailed
)

func (s State) String() string {
	switch s {
	case StateStarting:
		return "starting"
	case StateRunning:
		return "running"
	case StateExited:
		return "exited"
	case StateStopped:
		return "stopped"
	case StateFailed:
		return "failed"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Info describes a session.
type Info struct {
	Login, Workspace, ID string
	State                State
	PID                  int
	Clients              int
	ExitCode             int
	StartedAt            time.Time
	LastActivity         time.Time
	Window               Window
	Title                string // untrusted: set by the program
	// Error says why the program failed to start, in one line without a
	// "warren: " prefix (e.g. "cannot start claude: not found on the
	// server's PATH"); set only in StateFailed. Any part that came from
	// the program's output has had its control characters replaced.
	Error string
}

// EventKind names a state change.
type EventKind int

// Event kinds.
const (
	EventStarted  EventKind = iota + 1 // a new conversation's program started
	EventRestored                      // a program started to resume a conversation
	EventExited                        // the program ended on its own (ExitCode)
	EventStopped                       // Stop or Shutdown ended the program (ExitCode)
	EventAttached                      // a client attached (Clients after)
	EventDetached                      // a client left (Clients after, Reason)
	EventFailed                        // the program could not start, or ended at once (ExitCode, Error)
)

func (k EventKind) String() string {
	switch k {
	case EventStarted:
		return "started"
	case EventRestored:
		return "restored"
	case EventExited:
		return "exited"
	case EventStopped:
		return "stopped"
	case EventAttached:
		return "attached"
	case EventDetached:
		return "detached"
	case EventFailed:
		return "failed"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is a state change reported through Options.OnEvent.
type Event struct {
	Kind             EventKind
	Login, Workspace string
	ID               string
	PID              int
	ExitCode         int
	Clients          int
	Reason           Reason // for EventDetached
	Error            string // for EventFailed, as Info.Error
	Time             time.Time
}
