// Package session owns the PTY lifecycle of warren's persistent sessions: one
// long-lived program (claude by default) per (login, workspace), running on a
// pseudo-terminal that outlives every SSH connection. It never touches SQL or
// SSH.
//
// A [Manager] spawns each program in its own session and process group
// (Setsid, Setctty) at the real window size of the first client, under a
// context the Manager owns, never a connection's. Each process is waited for
// exactly once by a goroutine the Manager owns; its exit code is recorded
// (signals as 128+n) and the whole process group is hung up and then killed
// when the session ends.
//
// Output takes one path: a single goroutine per process reads the PTY master
// and, under the session lock, feeds the screen model, the history ring and
// the bounded queue of every attached client. Every client has its own writer
// goroutine, so a slow client never stalls the PTY or the other clients; a
// client whose queue overflows is resynchronised with a repaint from the
// screen model. A client whose size is not the PTY's gets no bytes at all:
// its writer draws the screen model clipped or padded to its size, as a
// diff against what it last sent, whenever it is free (see [Viewer]).
// Attaching writes scrollback and a repaint of the current screen (a
// redraw, not a replay), then live output, with no gap and no duplicate.
//
// Input arrives on [Client.Input] from the server's single channel reader;
// the package never reads an SSH channel itself. The detach key and terminal
// query replies from clients that do not own the session are filtered out
// before bytes reach the program.
//
// When the server dies without a Shutdown, children die with it: each is
// started with Pdeathsig=SIGKILL from one OS thread that is locked for the
// Manager's whole life (Pdeathsig fires when the spawning thread exits, not
// the process), and the PTY master closing hangs up the rest of the group.
// Grandchildren that ignore SIGHUP and leave the process group are outside
// this guarantee.
//
// Screen models and history rings are reached through the small [Screen] and
// [History] interfaces declared here; the server wires the concrete types in.
package session
