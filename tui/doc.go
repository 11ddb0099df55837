// Package tui owns the workspace picker: the bubbletea program a user sees
// after `ssh -p 2222 LOGIN@HOST`, its [Styles], its [KeyMap], the [Source]
// interface it reads and the [Result] it returns. It never execs, never reads
// the SSH channel, never touches the filesystem or the database, and imports
// no other warren package.
//
// The [Model] is pure Elm: it holds view state only, every call into
// [Source] (which may be slow) runs inside a tea.Cmd, and data comes back as
// messages. The list and the preview are re-read every [Options.Refresh].
// When the program ends, [Model.Result] says what the user chose (attach a
// workspace, or quit); the server acts on it.
//
// Everything that comes from a workspace, a session or a user (names,
// branches, window titles, preview screens, error messages) is untrusted and
// goes through [Sanitize] before it is rendered; widths are measured after
// sanitising and long strings are truncated by display width.
//
// Colours come from one theme (styles.go), adapted to the background and
// degraded to the colour profile the server detected from the session's own
// environment (NO_COLOR, TERM, COLORTERM), never the server's.
package tui
