package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the picker understands. The zero value in [Options]
// means [DefaultKeyMap].
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding

	Attach  key.Binding
	New     key.Binding
	Clone   key.Binding
	Restart key.Binding
	Stop    key.Binding
	Delete  key.Binding
	Filter  key.Binding
	Help    key.Binding
	Quit    key.Binding
	// ForceQuit quits from anywhere, even a prompt.
	ForceQuit key.Binding

	// In prompts and confirmations.
	Submit      key.Binding
	Cancel      key.Binding
	Yes         key.Binding
	No          key.Binding
	ClearFilter key.Binding
}

// DefaultKeyMap returns the picker's keys: arrows or j/k, enter to attach,
// n new, c clone, r restart, x stop, d delete, / filter, ? help, q quit.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k", "ctrl+p"),
		Down:     b("↓/j", "down", "down", "j", "ctrl+n"),
		Top:      b("g/home", "first", "home", "g"),
		Bottom:   b("G/end", "last", "end", "G"),
		PageUp:   b("pgup", "page up", "pgup"),
		PageDown: b("pgdn", "page down", "pgdown"),

		Attach:    b("enter", "attach", "enter"),
		New:       b("n", "new", "n"),
		Clone:     b("c", "clone", "c"),
		Restart:   b("r", "restart", "r"),
		Stop:      b("x", "stop", "x"),
		Delete:    b("d", "delete", "d"),
		Filter:    b("/", "filter", "/"),
		Help:      b("?", "more", "?"),
		Quit:      b("q", "quit", "q"),
		ForceQuit: b("ctrl+c", "quit", "ctrl+c"),

		Submit:      b("enter", "ok", "enter"),
		Cancel:      b("esc", "cancel", "esc"),
		Yes:         b("y", "yes", "y", "Y"),
		No:          b("n", "no", "n", "N", "esc"),
		ClearFilter: b("esc", "clear filter", "esc"),
	}
}

// bindings is a help.KeyMap over a fixed list.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

func (b bindings) ShortHelp() []key.Binding  { return b.short }
func (b bindings) FullHelp() [][]key.Binding { return b.full }

// listHelp is the help for the list; hasItems hides what needs a selection,
// filtered adds "esc clear filter".
func (k KeyMap) listHelp(hasItems, filtered bool) bindings {
	if !hasItems {
		short := []key.Binding{k.New, k.Clone}
		if filtered {
			short = append(short, k.ClearFilter)
		}
		short = append(short, k.Quit)
		return bindings{short: short, full: [][]key.Binding{short}}
	}
	short := []key.Binding{k.Attach, k.New, k.Clone, k.Filter}
	if filtered {
		short = append(short, k.ClearFilter)
	}
	short = append(short, k.Help, k.Quit)
	full := [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom},
		{k.Attach, k.New, k.Clone, k.Filter},
		{k.Restart, k.Stop, k.Delete},
		{withHelp(k.Help, "less"), k.Quit},
	}
	return bindings{short: short, full: full}
}

func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
