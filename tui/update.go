package tui

import (
	"cmp"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handleKey dispatches a key press by mode.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if key.Matches(msg, k.ForceQuit) {
		return m.quit(Result{Action: ActionQuit})
	}
	switch m.mode {
	case modeList:
		return m.listKey(msg)
	case modeFilter:
		switch {
		case key.Matches(msg, k.Cancel):
			m.mode, m.filter = modeList, ""
			m.filterIn.SetValue("")
			m.applyFilter()
			return m.requestPreview(true)
		case key.Matches(msg, k.Submit):
			m.mode = modeList
			return nil
		case msg.Keystroke() == "up":
			return m.moveTo(m.cursor - 1)
		case msg.Keystroke() == "down":
			return m.moveTo(m.cursor + 1)
		}
		return m.handleInput(msg)
	case modeNew, modeCloneName:
		switch {
		case key.Matches(msg, k.Cancel):
			m.closePrompt()
			return nil
		case key.Matches(msg, k.Submit):
			v := m.input.Value()
			if v == "" {
				m.inputErr = "type a name"
				return nil
			}
			m.validateSeq++
			return validateCmd(m.src, m.validateSeq, v, true)
		}
		return m.handleInput(msg)
	case modeCloneURL:
		switch {
		case key.Matches(msg, k.Cancel):
			m.closePrompt()
			return nil
		case key.Matches(msg, k.Submit):
			u := strings.TrimSpace(m.input.Value())
			if u == "" {
				m.inputErr = "paste a git URL"
				return nil
			}
			m.openPrompt(modeCloneName, "")
			m.cloneURL = u
			m.validateSeq++
			return suggestCmd(m.src, m.validateSeq, u)
		}
		return m.handleInput(msg)
	case modeCloning:
		if key.Matches(msg, k.Cancel) && m.job != nil && !m.cancelling {
			m.cancelling = true
			m.job.cancel()
		}
		return nil
	case modeStop, modeRestart:
		switch {
		case key.Matches(msg, k.Yes):
			op, fn := "stop", m.src.Stop
			m.busy = "stopping the session in " + m.target + "…"
			if m.mode == modeRestart {
				op, fn = "restart", m.src.Restart
				m.busy = "restarting the session in " + m.target + "…"
			}
			m.mode = modeList
			return opCmd(m.ctx, op, m.target, fn)
		case key.Matches(msg, k.No):
			m.mode = modeList
		}
		return nil
	case modeDelete:
		switch {
		case key.Matches(msg, k.Cancel):
			m.closePrompt()
		case key.Matches(msg, k.Submit):
			if m.input.Value() != m.target {
				m.inputErr = "type the workspace's name exactly to delete it"
				return nil
			}
			m.mode = modeList
			m.busy = "deleting " + m.target + "…"
			return opCmd(m.ctx, "delete", m.target, m.src.Delete)
		default:
			m.input.Update(msg)
			m.inputErr = ""
		}
		return nil
	}
	return nil
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if !m.statusLoad {
		m.status, m.statusErr = "", false
	}
	w, ok := m.current()
	page := m.layout().perPage
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit(Result{Action: ActionQuit})
	case key.Matches(msg, k.ClearFilter) && m.filter != "":
		m.filter = ""
		m.filterIn.SetValue("")
		m.applyFilter()
		return m.requestPreview(true)
	case key.Matches(msg, k.Up):
		return m.moveTo(m.cursor - 1)
	case key.Matches(msg, k.Down):
		return m.moveTo(m.cursor + 1)
	case key.Matches(msg, k.Top):
		return m.moveTo(0)
	case key.Matches(msg, k.Bottom):
		return m.moveTo(len(m.visible) - 1)
	case key.Matches(msg, k.PageUp):
		return m.moveTo(m.cursor - page)
	case key.Matches(msg, k.PageDown):
		return m.moveTo(m.cursor + page)
	case key.Matches(msg, k.Attach) && ok:
		return m.quit(Result{Action: ActionAttach, Workspace: w.Name})
	case key.Matches(msg, k.New):
		m.openPrompt(modeNew, "")
	case key.Matches(msg, k.Clone):
		m.openPrompt(modeCloneURL, "")
	case key.Matches(msg, k.Filter) && len(m.all) > 0:
		m.mode = modeFilter
		m.filterIn.SetValue(m.filter)
	case key.Matches(msg, k.Restart) && ok:
		m.openPrompt(modeRestart, w.Name)
	case key.Matches(msg, k.Stop) && ok:
		if w.State != Running && w.State != Detached && w.State != Restored {
			m.setStatus(w.Name + " has no running session")
			return nil
		}
		m.openPrompt(modeStop, w.Name)
	case key.Matches(msg, k.Delete) && ok:
		m.openPrompt(modeDelete, w.Name)
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
	}
	return nil
}

// handleInput edits the open field: the filter, or a name prompt (which is
// then validated in a command).
func (m *Model) handleInput(msg tea.Msg) tea.Cmd {
	switch m.mode {
	case modeFilter:
		if m.filterIn.Update(msg) {
			m.filter = m.filterIn.Value()
			before := m.selected
			m.applyFilter()
			return m.requestPreview(m.selected != before)
		}
	case modeNew, modeCloneName:
		if m.input.Update(msg) {
			m.inputErr, m.inputMade, m.inputCapped = "", "", m.input.capped
			if v := m.input.Value(); v != "" {
				m.validateSeq++
				return validateCmd(m.src, m.validateSeq, v, false)
			}
		}
	case modeCloneURL, modeDelete:
		if m.input.Update(msg) {
			m.inputErr = ""
		}
	}
	return nil
}

func (m *Model) openPrompt(md mode, target string) {
	m.mode, m.target = md, target
	switch md {
	case modeNew, modeCloneName:
		m.input = lineInput{limit: m.nameLimit}
	case modeCloneURL:
		m.input = lineInput{limit: 2048}
	default:
		m.input = lineInput{limit: 256}
	}
	m.inputErr, m.inputMade, m.inputCapped = "", "", false
}

func (m *Model) closePrompt() {
	m.mode, m.target, m.cloneURL = modeList, "", ""
	m.inputErr, m.inputMade, m.inputCapped = "", "", false
	m.validateSeq++ // drop answers still on their way
}

// gotSuggestion fills the clone's name field with the name suggested for
// its URL, unless the user has typed one already.
func (m *Model) gotSuggestion(msg suggestMsg) tea.Cmd {
	if msg.seq != m.validateSeq || m.mode != modeCloneName || m.input.Value() != "" || msg.name == "" {
		return nil
	}
	m.input.SetValue(msg.name)
	m.validateSeq++
	return validateCmd(m.src, m.validateSeq, m.input.Value(), false)
}

// gotValidation shows a validation answer for the current value and, when
// the user submitted it, creates or clones.
func (m *Model) gotValidation(msg validateMsg) tea.Cmd {
	if msg.seq != m.validateSeq || msg.value != m.input.Value() || (m.mode != modeNew && m.mode != modeCloneName) {
		return nil
	}
	if msg.err != nil {
		m.inputErr, m.inputMade = oneLine(msg.err.Error()), ""
		return nil
	}
	m.inputErr, m.inputMade = "", msg.name
	if !msg.submit {
		return nil
	}
	name := msg.value
	if m.mode == modeNew {
		m.closePrompt()
		m.busy = "creating " + Sanitize(cmp.Or(msg.name, name)) + "…"
		return createCmd(m.ctx, m.src, name)
	}
	m.jobSeq++
	m.job = newCloneJob(m.jobSeq, name, m.cloneURL)
	m.mode, m.progress, m.cancelling = modeCloning, "", false
	return tea.Batch(m.job.run(m.ctx, m.src), m.job.waitProgress())
}
