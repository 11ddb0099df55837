package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// Styles is the picker's one theme. The zero value in [Options] means
// [DefaultStyles] for the session's background, degraded to its profile.
type Styles struct {
	Logo    lipgloss.Style // the "warren" badge
	Header  lipgloss.Style // login and workspace count
	Warning lipgloss.Style // the Options.Warning line

	Name         lipgloss.Style // a workspace name
	SelectedName lipgloss.Style
	Marker       lipgloss.Style // the bar left of the selected row
	Meta         lipgloss.Style // second row: activity, title
	Branch       lipgloss.Style
	Dirty        lipgloss.Style // the "*" after a dirty branch

	Running  lipgloss.Style
	Detached lipgloss.Style
	Exited   lipgloss.Style
	Idle     lipgloss.Style // no session, stopped, restored

	PreviewBorder lipgloss.Style // border colour of the preview pane
	PreviewTitle  lipgloss.Style
	PreviewText   lipgloss.Style
	PreviewEmpty  lipgloss.Style

	Empty     lipgloss.Style // the empty-state text
	EmptyKey  lipgloss.Style // keys named in it
	Prompt    lipgloss.Style // prompt titles ("New workspace")
	Label     lipgloss.Style // "name ›"
	Input     lipgloss.Style // typed text
	Hint      lipgloss.Style // placeholder and hints
	Invalid   lipgloss.Style // inline validation messages
	Progress  lipgloss.Style // the clone progress line
	Status    lipgloss.Style // informational status line
	Error     lipgloss.Style // error status line
	TooSmall  lipgloss.Style
	Help      help.Styles
	Separator string // between state and activity, e.g. " · "
}

// swatch is one colour of the theme for a light and a dark background, each
// as a 16-colour, 256-colour and true-colour value.
type swatch struct {
	light, dark [3]string // ANSI, ANSI256, TrueColor
}

func (s swatch) color(dark bool, p colorprofile.Profile) color.Color {
	v := s.light
	if dark {
		v = s.dark
	}
	if p == colorprofile.Unknown {
		p = colorprofile.TrueColor
	}
	return lipgloss.Complete(p)(lipgloss.Color(v[0]), lipgloss.Color(v[1]), lipgloss.Color(v[2]))
}

// The palette. Light backgrounds get darker, non-bright colours.
var (
	accent   = swatch{light: [3]string{"5", "99", "#7D56F4"}, dark: [3]string{"5", "99", "#7D56F4"}}
	onAccent = swatch{light: [3]string{"15", "231", "#FFFDF5"}, dark: [3]string{"15", "231", "#FFFDF5"}}
	pink     = swatch{light: [3]string{"5", "162", "#C22D8E"}, dark: [3]string{"13", "212", "#F780E2"}}
	green    = swatch{light: [3]string{"2", "29", "#06875A"}, dark: [3]string{"10", "42", "#04D98B"}}
	yellow   = swatch{light: [3]string{"3", "136", "#A86800"}, dark: [3]string{"11", "221", "#F5C451"}}
	red      = swatch{light: [3]string{"1", "160", "#C9283E"}, dark: [3]string{"9", "203", "#FF6B76"}}
	cyan     = swatch{light: [3]string{"6", "31", "#1C7CA8"}, dark: [3]string{"14", "80", "#6FC8E0"}}
	muted    = swatch{light: [3]string{"8", "243", "#767676"}, dark: [3]string{"8", "245", "#8C8C8C"}}
	subtle   = swatch{light: [3]string{"7", "251", "#D0D0D0"}, dark: [3]string{"8", "238", "#444444"}}
	text     = swatch{light: [3]string{"0", "235", "#262626"}, dark: [3]string{"7", "252", "#DDDDDD"}}
)

// DefaultStyles returns the theme for a dark or light background in true
// colour. The picker degrades it to the session's profile itself.
func DefaultStyles(dark bool) Styles {
	return themeStyles(dark, colorprofile.TrueColor)
}

// themeStyles builds the theme with colours chosen for profile p: hand-picked
// 16- and 256-colour values, and none at all for ASCII and NoTTY (bold,
// faint and reverse still mark the selection).
func themeStyles(dark bool, p colorprofile.Profile) Styles {
	c := func(s swatch) color.Color { return s.color(dark, p) }
	st := lipgloss.NewStyle
	helpKey := st().Foreground(c(muted)).Bold(true)
	helpDesc := st().Foreground(c(muted))
	helpSep := st().Foreground(c(subtle))
	return Styles{
		Logo:    st().Bold(true).Foreground(c(onAccent)).Background(c(accent)).Padding(0, 1),
		Header:  st().Foreground(c(muted)),
		Warning: st().Foreground(c(yellow)).Bold(true),

		Name:         st().Foreground(c(text)),
		SelectedName: st().Foreground(c(pink)).Bold(true),
		Marker:       st().Foreground(c(pink)).Bold(true),
		Meta:         st().Foreground(c(muted)),
		Branch:       st().Foreground(c(cyan)),
		Dirty:        st().Foreground(c(yellow)).Bold(true),

		Running:  st().Foreground(c(green)),
		Detached: st().Foreground(c(yellow)),
		Exited:   st().Foreground(c(red)),
		Idle:     st().Foreground(c(muted)),

		PreviewBorder: st().Foreground(c(subtle)),
		PreviewTitle:  st().Foreground(c(muted)).Bold(true),
		PreviewText:   st(),
		PreviewEmpty:  st().Foreground(c(muted)).Italic(true),

		Empty:    st().Foreground(c(text)),
		EmptyKey: st().Foreground(c(pink)).Bold(true),
		Prompt:   st().Foreground(c(accent)).Bold(true),
		Label:    st().Foreground(c(muted)),
		Input:    st().Foreground(c(text)),
		Hint:     st().Foreground(c(muted)).Faint(true),
		Invalid:  st().Foreground(c(red)),
		Progress: st().Foreground(c(muted)),
		Status:   st().Foreground(c(green)),
		Error:    st().Foreground(c(red)).Bold(true),
		TooSmall: st().Foreground(c(yellow)),
		Help: help.Styles{
			Ellipsis:       helpSep,
			ShortKey:       helpKey,
			ShortDesc:      helpDesc,
			ShortSeparator: helpSep,
			FullKey:        helpKey,
			FullDesc:       helpDesc,
			FullSeparator:  helpSep,
		},
		Separator: " · ",
	}
}
