// Package workspace owns workspace names and the directories behind them:
// validation of names and logins, and creating, listing, cloning into and
// deleting <data>/workspaces/<login>/<name>.
//
// It never trusts a name it did not validate, and it never touches PTYs,
// SSH or SQL.
//
// Every filesystem operation on a login's tree goes through an os.Root
// opened on Root/<login>, after checking that Root/<login> is itself a
// plain directory (not a symlink, not swapped between the check and the
// open). A symlink inside a workspace, or planted at a workspace's name,
// therefore never lets Create, Ensure, List or Delete act outside that
// login's root: Create and Ensure refuse it, List skips it, Delete removes
// the link and never its target (os.Root.RemoveAll walks with O_NOFOLLOW).
// The paths this package returns are for the caller to chdir into; what
// the session does there afterwards is the OS's to confine.
//
// Git runs as a child in its own session and process group, with an
// environment built from scratch (no terminal prompts, a protocol
// allowlist, discovery stopped at the login's root) and, when
// Options.Credential says so, as the login's own uid/gid. Cancelling a
// clone, or its running out of Options.CloneTimeout or Options.CloneStall,
// kills the group and removes the hidden temporary directory the clone was
// made in, so a workspace either appears whole or not at all.
//
// Errors the user can act on (a refused or taken name, a refused URL, a
// failed or timed-out clone) have a UserMessage method: one line saying
// what was wrong and what to do, apart from the chain of operations that
// Error gives for the log.
//
// List reads .git/HEAD through the root for the branch at every call, and
// takes Dirty from a cache that a bounded pool of background workers keeps
// fresh with `git status` (each bounded by Options.StatusTimeout): soon
// after a workspace's session was active (Options.Activity), every few
// seconds while it is being listed, less often for a repository whose
// status is costly. List so never waits for git, but up to 20 ms for a
// repository it has no state for yet. Measured on two cores with ten
// small repositories: about 1.4 ms per List (84 ms when it ran git status
// itself), 0.4 ms with HEAD only (StatusTimeout < 0); with a repository
// whose status takes half a second (a 150 MB file git rehashes every
// time), ls stays at a few milliseconds in the server.
package workspace
