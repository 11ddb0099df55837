package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// Layout limits.
const (
	minWidth   = 40  // below this, or minHeight, only "window too small"
	minHeight  = 10  //
	wideWidth  = 100 // from here, list and preview side by side
	itemHeight = 3   // two lines and a gap
)

type layout struct {
	tooSmall    bool
	wide        bool
	width       int // content width, inside the 1-column margins
	headerH     int
	bodyH       int
	listW       int
	listH       int // rows for items, after the filter and paging lines
	filterLine  bool
	paging      bool
	perPage     int
	previewW    int
	previewCols int
	previewRows int
}

// layout computes where everything goes for the current size and mode.
func (m *Model) layout() layout {
	l := layout{width: m.width - 2}
	if m.width < minWidth || m.height < minHeight {
		l.tooSmall = true
		return l
	}
	l.headerH = 2
	if m.warning != "" {
		l.headerH++
	}
	l.bodyH = max(1, m.height-l.headerH-m.footerHeight())
	l.wide = m.width >= wideWidth
	l.listW = l.width
	if l.wide {
		l.listW = max(34, min(56, l.width*2/5))
		l.previewW = l.width - l.listW - 1
		l.previewCols = l.previewW - 4
		l.previewRows = max(1, l.bodyH-2)
	}
	l.listH = l.bodyH
	l.filterLine = m.mode == modeFilter || m.filter != ""
	if l.filterLine {
		l.listH -= 2
	}
	l.perPage = max(1, (l.listH+1)/itemHeight)
	if len(m.visible) > l.perPage {
		l.paging = true
		l.perPage = max(1, l.listH/itemHeight)
	}
	return l
}

// errorLines wraps the error status into at most two lines of width.
func (m *Model) errorLines(width int) []string {
	msg := "✗ " + m.status
	if ansi.StringWidth(msg) <= width {
		return []string{msg}
	}
	first := ansi.Truncate(msg, width, "")
	if i := strings.LastIndexByte(first, ' '); i > width/2 {
		first = first[:i]
	}
	rest := strings.TrimSpace(msg[len(first):])
	return []string{first, truncate("  "+rest, width)}
}

func (m *Model) footerHeight() int {
	h := 1 // status
	if m.busy == "" && m.status != "" && m.statusErr {
		h = len(m.errorLines(m.width - 2))
	}
	switch m.mode {
	case modeNew, modeCloneURL, modeCloneName, modeCloning, modeDelete:
		h += 3
	case modeStop, modeRestart:
		h++
	}
	if m.mode == modeList && m.showHelp && len(m.all) > 0 {
		return h + 4
	}
	return h + 1
}

// View renders the picker.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "warren"
	if m.done {
		return v
	}
	content, cur := m.render()
	if m.profile != colorprofile.Unknown && m.profile < colorprofile.TrueColor {
		var b strings.Builder
		w := &colorprofile.Writer{Forward: &b, Profile: m.profile}
		_, _ = w.WriteString(content)
		content = b.String()
	}
	v.SetContent(content)
	v.Cursor = cur
	return v
}

// render returns the screen and the real cursor, if a field has focus.
func (m *Model) render() (string, *tea.Cursor) {
	l := m.layout()
	s := m.styles
	if l.tooSmall {
		lines := tooSmallLines(m.width, m.height)
		for i := range lines {
			lines[i] = s.TooSmall.Render(lines[i])
		}
		return strings.Join(lines, "\n"), nil
	}
	var lines []string
	lines = append(lines, m.header(l.width), "")
	if m.warning != "" {
		lines[1] = s.Warning.Render(clip("⚠ "+m.warning, l.width))
		lines = append(lines, "")
	}
	list, listCur := m.listView(l)
	body := list
	if l.wide {
		body = joinColumns(list, l.listW, m.previewView(l), 1)
	}
	var cur *tea.Cursor
	if listCur != nil {
		cur = tea.NewCursor(listCur.X+1, listCur.Y+len(lines))
	}
	lines = append(lines, body...)
	footer, footCur := m.footer(l)
	if footCur != nil {
		cur = tea.NewCursor(footCur.X+1, footCur.Y+len(lines))
	}
	lines = append(lines, footer...)
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return strings.Join(lines, "\n"), cur
}

func (m *Model) header(width int) string {
	s := m.styles
	logo := s.Logo.Render("warren")
	info := clip(m.login, 32)
	switch n := len(m.all); {
	case !m.loaded:
	case n == 1:
		info += s.Separator + "1 workspace"
	default:
		info += fmt.Sprintf("%s%d workspaces", s.Separator, n)
	}
	return logo + " " + s.Header.Render(truncate(info, width-lipgloss.Width(logo)-1))
}

// listView renders the list column: exactly l.bodyH lines of l.listW.
func (m *Model) listView(l layout) ([]string, *tea.Cursor) {
	s := m.styles
	var out []string
	var cur *tea.Cursor
	if l.filterLine {
		count := fmt.Sprintf("%d/%d", len(m.visible), len(m.all))
		field, x := m.filterIn.view(max(1, l.listW-4-len(count)))
		line := s.Label.Render("/ ") + s.Input.Render(field)
		if m.mode == modeFilter {
			cur = tea.NewCursor(2+x, 0)
		} else if m.filter != "" {
			line = s.Label.Render("/ ") + s.Input.Render(field) + s.Hint.Render("  esc clears")
		}
		out = append(out, rightAlign(line, s.Meta.Render(count), l.listW), "")
	}
	switch {
	case !m.loaded:
		out = append(out, s.Hint.Render("loading workspaces…"))
	case len(m.all) == 0:
		out = append(out, m.emptyView(l.listW)...)
	case len(m.visible) == 0:
		out = append(out, s.Hint.Render(clip(fmt.Sprintf("no workspaces match %q", m.filter), l.listW)))
	default:
		page := m.cursor / l.perPage
		first := page * l.perPage
		for i := first; i < min(len(m.visible), first+l.perPage); i++ {
			if i > first {
				out = append(out, "")
			}
			out = append(out, m.itemView(m.all[m.visible[i]], i == m.cursor, l)...)
		}
		if l.paging {
			pages := (len(m.visible) + l.perPage - 1) / l.perPage
			for len(out) < l.bodyH-1 {
				out = append(out, "")
			}
			out = append(out, s.Hint.Render(fmt.Sprintf("page %d/%d", page+1, pages)))
		}
	}
	return fit(out, l.listW, l.bodyH), cur
}

// itemView renders one workspace as two lines.
func (m *Model) itemView(w Workspace, selected bool, l layout) []string {
	s := m.styles
	marker, nameStyle := "  ", s.Name
	if selected {
		marker, nameStyle = s.Marker.Render("│")+" ", s.SelectedName
	}
	inner := l.listW - 2
	name := Sanitize(w.Name)
	var branch string
	bw := 0
	if w.Repo && w.Branch != "" {
		// The name has priority; the branch takes what is left, at least
		// a few columns.
		avail := max(min(10, inner/3), inner-ansi.StringWidth(name)-3)
		if w.Dirty {
			avail--
		}
		b := clip(w.Branch, avail)
		branch = s.Branch.Render(b)
		bw = ansi.StringWidth(b)
		if w.Dirty {
			branch += s.Dirty.Render("*")
			bw++
		}
	}
	gap := 0
	if bw > 0 {
		gap = 2
	}
	n := truncate(name, inner-bw-gap)
	first := marker + rightAlign(nameStyle.Render(n), branch, inner)

	now := m.now()
	st := stateText(w, now, s.Separator)
	stateStyle := s.Idle
	switch w.State {
	case Running:
		stateStyle = s.Running
	case Detached:
		stateStyle = s.Detached
	case Exited, Failed:
		stateStyle = s.Exited
	}
	meta := ""
	if a := ago(now, w.LastActivity); a != "" {
		meta = s.Separator + "active " + a
	}
	sw := ansi.StringWidth(st)
	switch t := Sanitize(w.Title); {
	case w.State == Failed && w.Error != "":
		// Why it failed matters more than when; the preview has it whole.
		meta = s.Separator + Sanitize(w.Error)
	case !l.wide && t != "" && inner-sw-ansi.StringWidth(meta+s.Separator) >= 12:
		meta += s.Separator + t
	}
	second := marker + stateStyle.Render(truncate(st, inner)) + s.Meta.Render(truncate(meta, inner-sw))
	return []string{first, second}
}

func (m *Model) emptyView(width int) []string {
	s := m.styles
	k := s.EmptyKey.Render
	who := ""
	if m.login != "" {
		who = ", " + clip(m.login, 32)
	}
	text := s.Empty.Render("Welcome to warren"+who+". Nothing here yet.") + "\n" +
		s.Empty.Render("A workspace keeps a Claude Code session running here while you are away.") + "\n" +
		s.Empty.Render("Press ") + k("n") + s.Empty.Render(" to create a workspace or ") + k("c") + s.Empty.Render(" to clone a git repository.")
	return strings.Split(lipgloss.NewStyle().Width(width).Render(text), "\n")
}

// previewView renders the selected session's screen in a rounded box of
// l.previewW x l.bodyH.
func (m *Model) previewView(l layout) []string {
	s := m.styles
	b := lipgloss.RoundedBorder()
	w, ok := m.current()
	title := ""
	if ok {
		title = Sanitize(w.Name)
		if t := Sanitize(w.Title); t != "" {
			title += s.Separator + t
		}
		title = " " + truncate(title, l.previewW-6) + " "
	}
	tw := ansi.StringWidth(title)
	top := s.PreviewBorder.Render(b.TopLeft+b.Top) + s.PreviewTitle.Render(title) +
		s.PreviewBorder.Render(strings.Repeat(b.Top, max(0, l.previewW-3-tw))+b.TopRight)
	out := []string{top}
	var body []string
	switch lines, have := m.previews[w.Name]; {
	case !ok:
	case !have:
		body = []string{s.PreviewEmpty.Render("…")}
	case len(lines) == 0 && w.State == Failed && w.Error != "":
		text := lipgloss.NewStyle().Width(l.previewCols).Render(Sanitize(w.Error))
		for _, line := range strings.Split(text, "\n") {
			body = append(body, s.Exited.Render(line))
		}
		body = append(body, "", s.PreviewEmpty.Render(truncate("enter tries again", l.previewCols)))
	case len(lines) == 0:
		body = []string{s.PreviewEmpty.Render(truncate("no session: enter starts one", l.previewCols))}
	default:
		for _, line := range lines {
			body = append(body, s.PreviewText.Render(clip(line, l.previewCols)))
		}
	}
	side := s.PreviewBorder.Render(b.Left)
	for i := range l.previewRows {
		line := ""
		if i < len(body) {
			line = body[i]
		}
		out = append(out, side+" "+pad(line, l.previewCols)+" "+side)
	}
	out = append(out, s.PreviewBorder.Render(b.BottomLeft+strings.Repeat(b.Bottom, max(0, l.previewW-2))+b.BottomRight))
	return out
}

// footer renders the prompt, the status line and the help bar.
func (m *Model) footer(l layout) ([]string, *tea.Cursor) {
	s := m.styles
	var out []string
	var cur *tea.Cursor
	field := func(label string) {
		lw := ansi.StringWidth(label)
		v, x := m.input.view(max(1, l.width-lw-1))
		out = append(out, s.Label.Render(label)+s.Input.Render(v))
		cur = tea.NewCursor(lw+x, len(out)-1)
	}
	hint := func(h string) {
		if m.inputErr != "" {
			out = append(out, s.Invalid.Render(truncate("✗ "+m.inputErr, l.width)))
			return
		}
		out = append(out, s.Hint.Render(truncate(h, l.width)))
	}
	// nameHint is the hint under a name field: why typing stopped, or the
	// name enter makes when it is not the one typed.
	nameHint := func(h, makes string) {
		switch {
		case m.inputErr == "" && m.inputCapped:
			out = append(out, s.Invalid.Render(truncate(fmt.Sprintf("✗ at most %d characters", m.nameLimit), l.width)))
		case m.inputErr == "" && m.inputMade != "" && m.inputMade != m.input.Value():
			hint(makes + Sanitize(m.inputMade) + " (names are lower case)")
		default:
			hint(h)
		}
	}
	switch m.mode {
	case modeNew:
		out = append(out, s.Prompt.Render("New workspace"))
		field("name › ")
		nameHint("a-z, 0-9, '.', '_' and '-'", "enter creates ")
	case modeCloneURL:
		out = append(out, s.Prompt.Render("Clone a git repository"))
		field("url › ")
		hint("https://github.com/you/repo.git or git@github.com:you/repo.git")
	case modeCloneName:
		out = append(out, s.Prompt.Render(truncate("Clone "+Sanitize(m.cloneURL), l.width)))
		field("into workspace › ")
		nameHint("enter clones, esc cancels", "enter clones into ")
	case modeCloning:
		out = append(out, s.Prompt.Render(truncate("Cloning "+Sanitize(m.cloneURL)+" into "+Sanitize(m.job.name)+"…", l.width)))
		p := m.progress
		if p == "" {
			p = "starting git…"
		}
		out = append(out, s.Progress.Render(clip(p, l.width)))
		if m.cancelling {
			out = append(out, s.Hint.Render("cancelling…"))
		} else {
			out = append(out, s.Hint.Render("esc cancels"))
		}
	case modeStop:
		out = append(out, s.Prompt.Render(truncate("Stop the session in "+Sanitize(m.target)+"? The workspace stays. y/n", l.width)))
	case modeRestart:
		out = append(out, s.Prompt.Render(truncate("Restart the session in "+Sanitize(m.target)+"? y/n", l.width)))
	case modeDelete:
		out = append(out, s.Error.Render(truncate("Delete "+Sanitize(m.target)+"? Its session stops and all its files are removed.", l.width)))
		field("type " + Sanitize(m.target) + " to confirm › ")
		hint("esc keeps it")
	}
	switch {
	case m.busy != "":
		out = append(out, s.Hint.Render(clip(m.busy, l.width)))
	case m.status != "" && m.statusErr:
		for _, line := range m.errorLines(l.width) {
			out = append(out, s.Error.Render(line))
		}
	case m.status != "":
		out = append(out, s.Status.Render(truncate("✓ "+m.status, l.width)))
	default:
		out = append(out, "")
	}
	h := help.New()
	h.Styles = s.Help
	h.SetWidth(l.width)
	h.ShowAll = m.showHelp && m.mode == modeList && len(m.all) > 0
	out = append(out, strings.Split(h.View(m.helpKeys()), "\n")...)
	return out, cur
}

func (m *Model) helpKeys() help.KeyMap {
	k := m.keys
	switch m.mode {
	case modeFilter:
		return bindings{short: []key.Binding{withHelp(k.Submit, "apply"), withHelp(k.Cancel, "clear"), k.ForceQuit}}
	case modeNew, modeCloneURL, modeCloneName, modeDelete:
		return bindings{short: []key.Binding{k.Submit, k.Cancel}}
	case modeCloning:
		return bindings{short: []key.Binding{k.Cancel}}
	case modeStop, modeRestart:
		return bindings{short: []key.Binding{k.Yes, withHelp(k.No, "no")}}
	}
	return k.listHelp(len(m.visible) > 0, m.filter != "")
}

// tooSmallLines says, in lines that fit w x h, that the window is too
// small and what size the picker needs: the longest wording that fits,
// down to the bare "40x10".
func tooSmallLines(w, h int) []string {
	have := fmt.Sprintf("%dx%d", w, h)
	need := fmt.Sprintf("%dx%d", minWidth, minHeight)
	for _, c := range [][]string{
		{"window too small: " + have + ", warren needs " + need},
		{"window too small", have + ", warren needs " + need},
		{"window too small", have + ", need " + need},
		{"too small", "need " + need},
		{"need " + need},
		{need},
	} {
		fits := len(c) <= h
		for _, line := range c {
			fits = fits && ansi.StringWidth(line) <= w
		}
		if fits {
			return c
		}
	}
	return []string{truncate(need, w)}
}

// fit pads or cuts lines to exactly h lines of width w.
func fit(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = pad(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return out
}

// pad right-pads styled s to w columns, cutting it when wider.
func pad(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "")
	}
	return s + strings.Repeat(" ", w-sw)
}

// rightAlign puts right at the end of a line of w columns after left.
func rightAlign(left, right string, w int) string {
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return pad(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

// joinColumns puts b right of a (a padded to aw), gap columns apart.
func joinColumns(a []string, aw int, b []string, gap int) []string {
	n := max(len(a), len(b))
	out := make([]string, n)
	for i := range n {
		var l, r string
		if i < len(a) {
			l = a[i]
		}
		if i < len(b) {
			r = b[i]
		}
		out[i] = pad(l, aw) + strings.Repeat(" ", gap) + r
	}
	return out
}
