// Package screen owns the terminal screen model of a session: it parses the
// program's output bytes into a grid of cells, modes, a window title and a
// bounded scrollback, and renders "repaint the current screen + modes" so a
// freshly attached client of the same size shows exactly what the program
// drew; Text renders the same model as plain text lines, for a session's
// history. It never touches PTYs, SSH or disk.
//
// A Screen is not safe for concurrent use; the session serialises access.
//
// The parser is its own (a reduced DEC ANSI state machine with a fast path
// for runs of printable ASCII); cells are pointer-free so scrolling and
// writing cost no allocation. Widths are per rune, as wcwidth and tmux do:
// zero-width runes (combining marks, ZWJ, variation selectors) join the
// cell before the cursor. Behaviour follows xterm; where tmux 3.3a, the
// reference the tests compare against, differs, the model sides with xterm
// (see tmux_test.go). Like tmux, ED 2 on the main screen moves the screen's
// non-blank rows into the scrollback, and resizing does not reflow.
//
// Not modelled: left/right margins (DECLRMM), DECCOLM, double-width lines,
// graphics, hyperlinks (OSC 8), palette changes (OSC 4/10/11/12), and a
// 1049 cursor slot apart from DECSC's.
//
// Everything a stream can grow is bounded: CSI parameters (32, values
// clamped to 65535), OSC payloads (4 KiB), the title (1 KiB), combining
// marks (16 bytes a cell), the kitty keyboard stack (16), and the
// scrollback (its line limit, at most 100000, and 16 MiB of encoded text).
package screen
