// Package screen owns the terminal screen model of a session: it parses the
// program's output bytes into a grid of cells, modes, a window title and a
// bounded scrollback, and renders "repaint the current screen + modes" so a
// freshly attached client of the same size shows exactly what the program
// drew. It never touches PTYs, SSH or disk.
//
// A Screen is not safe for concurrent use; the session serialises access.
package screen
