package tui

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// Options configure the picker. Source is required.
type Options struct {
	Source Source
	Login  string // shown in the header
	// Selected is the workspace selected at first (last used, or just
	// detached from); "" or an unknown name selects the first.
	Selected string
	// Warning is one line shown under the header (e.g. the shared-uid mode
	// warning); "" for none.
	Warning string
	// Width and Height are the initial size; tea.WindowSizeMsg updates it.
	// Zero means 80x24.
	Width, Height int
	// Styles and KeyMap: the zero value means the defaults.
	Styles Styles
	KeyMap KeyMap
	// HasDarkBackground picks the dark or light theme (a later
	// tea.BackgroundColorMsg overrides it).
	HasDarkBackground bool
	// Profile is the colour profile detected from the SSH session's own
	// environment and terminal (colorprofile.Env honours NO_COLOR), never the
	// server's. ASCII and NoTTY mean no colour at all. Unknown means
	// TrueColor. A later tea.ColorProfileMsg overrides it.
	Profile colorprofile.Profile
	// Now is the clock for "3m ago"; nil means time.Now.
	Now func() time.Time
	// Refresh is how often the workspaces and the preview are re-read;
	// zero means 500ms.
	Refresh time.Duration
	// Context is the parent of every Source call; nil means Background.
	Context context.Context
	// NameLimit is the longest workspace name the name fields take (the
	// server's rule; Source.ValidateName has the rest of it). Zero means 64.
	NameLimit int
}

// defaultNameLimit is Options.NameLimit when it is zero.
const defaultNameLimit = 64

type mode int

const (
	modeList mode = iota
	modeFilter
	modeNew
	modeCloneURL
	modeCloneName
	modeCloning
	modeStop
	modeRestart
	modeDelete
)

// Model is the picker's bubbletea model. It is not safe for concurrent use;
// bubbletea calls it from one goroutine.
type Model struct {
	src           Source
	login         string
	warning       string
	styles        Styles
	defaultStyles bool
	keys          KeyMap
	dark          bool
	profile       colorprofile.Profile
	now           func() time.Time
	refresh       time.Duration
	tick          func(time.Duration) tea.Cmd
	ctx           context.Context

	width, height int
	mode          mode
	showHelp      bool

	all      []Workspace // most recently used first
	visible  []int       // indexes into all that match the filter
	cursor   int         // index into visible
	selected string      // the selected name, kept across refreshes
	loaded   bool        // a Workspaces call has succeeded
	loading  bool        // a Workspaces call is in flight
	loadGen  int         // generation of the last load issued
	minGen   int         // loads older than this are stale

	filterIn lineInput
	filter   string // the applied (or being typed) filter

	input       lineInput // the field of the open prompt
	inputErr    string    // inline validation message
	inputCapped bool      // the last edit ran into nameLimit
	inputMade   string    // the name the field's value makes, once validated
	nameLimit   int
	validateSeq int
	target      string // the workspace a confirmation is about
	cloneURL    string

	job        *cloneJob
	jobSeq     int
	progress   string
	cancelling bool

	previews       map[string][]string
	previewSeq     int
	previewPending bool

	busy       string // "deleting x…" while an operation runs
	status     string
	statusErr  bool
	statusLoad bool // status came from a failed load; a good load clears it

	result Result
	done   bool
}

var _ tea.Model = (*Model)(nil)

// New returns the picker for opts.
func New(opts Options) *Model {
	m := &Model{
		src:      opts.Source,
		login:    opts.Login,
		warning:  opts.Warning,
		dark:     opts.HasDarkBackground,
		profile:  opts.Profile,
		now:      opts.Now,
		refresh:  opts.Refresh,
		ctx:      opts.Context,
		width:    opts.Width,
		height:   opts.Height,
		selected: opts.Selected,
		keys:     opts.KeyMap,
		styles:   opts.Styles,
		previews: map[string][]string{},
	}
	m.nameLimit = opts.NameLimit
	if m.nameLimit <= 0 {
		m.nameLimit = defaultNameLimit
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.refresh <= 0 {
		m.refresh = 500 * time.Millisecond
	}
	if m.ctx == nil {
		m.ctx = context.Background()
	}
	if m.width <= 0 || m.height <= 0 {
		m.width, m.height = 80, 24
	}
	if reflect.ValueOf(m.keys).IsZero() {
		m.keys = DefaultKeyMap()
	}
	m.defaultStyles = reflect.ValueOf(m.styles).IsZero()
	m.rebuildStyles()
	m.tick = func(d time.Duration) tea.Cmd {
		return tea.Tick(d, func(time.Time) tea.Msg { return tickMsg{} })
	}
	return m
}

func (m *Model) rebuildStyles() {
	if m.defaultStyles {
		m.styles = themeStyles(m.dark, m.profile)
	}
}

// Result returns what the user chose; call it after the program ends.
func (m *Model) Result() Result { return m.result }

// Init loads the workspaces, starts the refresh tick and asks the terminal
// for its background colour (the answer re-themes default Styles).
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.load(), m.tick(m.refresh), tea.RequestBackgroundColor)
}

// load issues a Workspaces call unless one is in flight.
func (m *Model) load() tea.Cmd {
	if m.loading {
		return nil
	}
	m.loading = true
	m.loadGen++
	gen := m.loadGen
	cmd := loadCmd(m.ctx, m.src)
	return func() tea.Msg {
		msg := cmd().(workspacesMsg)
		msg.gen = gen
		return msg
	}
}

// reload issues a Workspaces call whose answer supersedes any in flight,
// after an operation changed the list.
func (m *Model) reload() tea.Cmd {
	m.loading = false
	cmd := m.load()
	m.minGen = m.loadGen
	return cmd
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.done {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, m.requestPreview(true)
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
		m.rebuildStyles()
	case tea.ColorProfileMsg:
		m.profile = msg.Profile
		m.rebuildStyles()
	case tickMsg:
		return m, tea.Batch(m.tick(m.refresh), m.load(), m.requestPreview(false))
	case workspacesMsg:
		return m, m.gotWorkspaces(msg)
	case previewMsg:
		m.previews[msg.name] = msg.lines
		if msg.seq == m.previewSeq {
			m.previewPending = false
		}
	case validateMsg:
		return m, m.gotValidation(msg)
	case suggestMsg:
		return m, m.gotSuggestion(msg)
	case doneMsg:
		return m, m.gotDone(msg)
	case cloneProgressMsg:
		if m.job == nil || msg.id != m.job.id {
			return m, nil
		}
		m.progress = msg.line
		if msg.done {
			return m, nil
		}
		return m, m.job.waitProgress()
	case cloneDoneMsg:
		return m, m.gotCloneDone(msg)
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		return m, m.handleInput(msg)
	}
	return m, nil
}

func (m *Model) gotWorkspaces(msg workspacesMsg) tea.Cmd {
	if msg.gen == m.loadGen {
		m.loading = false
	}
	if msg.gen < m.minGen {
		return nil
	}
	if msg.err != nil {
		m.setError("list workspaces: "+msg.err.Error(), true)
		return nil
	}
	if m.statusLoad {
		m.status, m.statusErr, m.statusLoad = "", false, false
	}
	m.loaded = true
	list := slices.Clone(msg.list)
	sortWorkspaces(list)
	m.all = list
	for name := range m.previews {
		if m.index(name) < 0 {
			delete(m.previews, name)
		}
	}
	before := m.selected
	m.applyFilter()
	return m.requestPreview(m.selected != before)
}

// sortWorkspaces orders most recently used first, then by name.
func sortWorkspaces(list []Workspace) {
	slices.SortStableFunc(list, func(a, b Workspace) int {
		if c := b.LastActivity.Compare(a.LastActivity); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

func (m *Model) index(name string) int {
	for i := range m.all {
		if m.all[i].Name == name {
			return i
		}
	}
	return -1
}

// applyFilter recomputes the visible rows and keeps the selection on the
// same workspace when it is still visible.
func (m *Model) applyFilter() {
	m.visible = m.visible[:0]
	f := strings.ToLower(m.filter)
	for i, w := range m.all {
		if f == "" || strings.Contains(strings.ToLower(Sanitize(w.Name)), f) {
			m.visible = append(m.visible, i)
		}
	}
	m.cursor = min(m.cursor, max(0, len(m.visible)-1))
	for i, idx := range m.visible {
		if m.all[idx].Name == m.selected {
			m.cursor = i
		}
	}
	m.selected = ""
	if w, ok := m.current(); ok {
		m.selected = w.Name
	}
}

// current returns the selected workspace.
func (m *Model) current() (Workspace, bool) {
	if m.cursor < 0 || m.cursor >= len(m.visible) {
		return Workspace{}, false
	}
	return m.all[m.visible[m.cursor]], true
}

func (m *Model) moveTo(i int) tea.Cmd {
	if len(m.visible) == 0 {
		return nil
	}
	i = max(0, min(i, len(m.visible)-1))
	if i == m.cursor {
		return nil
	}
	m.cursor = i
	m.selected = m.all[m.visible[i]].Name
	return m.requestPreview(true)
}

// requestPreview asks for the selected session's screen when the preview
// pane is shown. force asks even when a request is in flight (the
// selection or the size changed).
func (m *Model) requestPreview(force bool) tea.Cmd {
	l := m.layout()
	w, ok := m.current()
	if !l.wide || !ok || (m.previewPending && !force) {
		return nil
	}
	m.previewSeq++
	m.previewPending = true
	return previewCmd(m.src, m.previewSeq, w.Name, l.previewCols, l.previewRows)
}

func (m *Model) setError(s string, fromLoad bool) {
	m.status, m.statusErr, m.statusLoad = oneLine(s), true, fromLoad
}

func (m *Model) setStatus(s string) {
	m.status, m.statusErr, m.statusLoad = oneLine(s), false, false
}

func (m *Model) gotDone(msg doneMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.setError(msg.err.Error(), false)
		return m.reload()
	}
	switch msg.op {
	case "create":
		m.selected = msg.name
		m.setStatus("created " + msg.name)
	case "delete":
		delete(m.previews, msg.name)
		m.setStatus("deleted " + msg.name)
	case "stop":
		m.setStatus("stopped the session in " + msg.name)
	case "restart":
		m.setStatus("restarted the session in " + msg.name)
	}
	return tea.Batch(m.reload(), m.requestPreview(true))
}

func (m *Model) gotCloneDone(msg cloneDoneMsg) tea.Cmd {
	if m.job == nil || msg.id != m.job.id {
		return nil
	}
	m.job, m.cancelling, m.mode = nil, false, modeList
	switch {
	case msg.cancelled:
		m.setStatus("clone cancelled")
	case msg.err != nil:
		text := gitMessage(msg.err.Error())
		if strings.HasPrefix(text, "fatal:") || strings.HasPrefix(text, "error:") {
			text = "clone failed: " + text
		}
		m.setError(text, false)
	default:
		m.selected = msg.name
		status := "cloned into " + msg.name
		if msg.summary != "" {
			status += ": " + msg.summary
		}
		m.setStatus(status)
		return m.reload()
	}
	return nil
}

// quit ends the program with r.
func (m *Model) quit(r Result) tea.Cmd {
	if m.job != nil {
		m.job.cancel()
	}
	m.result = r
	m.done = true
	return tea.Quit
}

// gitMessage picks the line of a git error that says what went wrong (the
// last "fatal:" or "error:" line); otherwise the whole message.
func gitMessage(s string) string {
	lines := strings.Split(s, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "fatal:") || strings.HasPrefix(l, "error:") {
			return l
		}
	}
	return s
}
