package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// lineInput is a one-line text field: the small part of bubbles' textinput
// the prompts need, without its clipboard dependency. Pasted and typed text
// is sanitised on the way in, so the value never holds a control character.
// Like textinput's CharLimit, limit caps the value; capped tells the view
// that the last edit ran into it, so that it can say why input stopped.
type lineInput struct {
	value  []rune
	pos    int // cursor, in runes
	limit  int // most runes accepted; 0 means no limit
	capped bool
}

func (in *lineInput) Value() string { return string(in.value) }

func (in *lineInput) SetValue(s string) {
	in.value = nil
	in.pos = 0
	in.insert(s)
}

// insert puts sanitised s at the cursor.
func (in *lineInput) insert(s string) {
	r := []rune(Sanitize(s))
	if in.limit > 0 && len(in.value)+len(r) > in.limit {
		r = r[:max(0, in.limit-len(in.value))]
		in.capped = true
	}
	v := make([]rune, 0, len(in.value)+len(r))
	v = append(v, in.value[:in.pos]...)
	v = append(v, r...)
	v = append(v, in.value[in.pos:]...)
	in.value = v
	in.pos += len(r)
}

// Update edits the value and reports whether msg was an editing key.
func (in *lineInput) Update(msg tea.Msg) bool {
	in.capped = false
	switch msg := msg.(type) {
	case tea.PasteMsg:
		in.insert(msg.Content)
		return true
	case tea.KeyPressMsg:
		switch msg.Keystroke() {
		case "backspace", "ctrl+h":
			if in.pos > 0 {
				in.value = append(in.value[:in.pos-1], in.value[in.pos:]...)
				in.pos--
			}
		case "delete", "ctrl+d":
			if in.pos < len(in.value) {
				in.value = append(in.value[:in.pos], in.value[in.pos+1:]...)
			}
		case "left", "ctrl+b":
			in.pos = max(0, in.pos-1)
		case "right", "ctrl+f":
			in.pos = min(len(in.value), in.pos+1)
		case "home", "ctrl+a":
			in.pos = 0
		case "end", "ctrl+e":
			in.pos = len(in.value)
		case "ctrl+u":
			in.value = in.value[in.pos:]
			in.pos = 0
		case "ctrl+k":
			in.value = in.value[:in.pos]
		case "ctrl+w", "alt+backspace":
			i := in.pos
			for i > 0 && in.value[i-1] == ' ' {
				i--
			}
			for i > 0 && in.value[i-1] != ' ' {
				i--
			}
			in.value = append(in.value[:i], in.value[in.pos:]...)
			in.pos = i
		default:
			if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
				return false
			}
			in.insert(msg.Text)
		}
		return true
	}
	return false
}

// view renders the value in width columns, scrolled so that the cursor is
// visible, and returns the cursor's column.
func (in *lineInput) view(width int) (string, int) {
	if width < 1 {
		return "", 0
	}
	start := 0
	before := func() int { return ansi.StringWidth(string(in.value[start:in.pos])) }
	for start < in.pos && before() >= width {
		start++
	}
	var b strings.Builder
	w := 0
	for _, r := range in.value[start:] {
		rw := ansi.StringWidth(string(r))
		if w+rw > width {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	return b.String(), before()
}
