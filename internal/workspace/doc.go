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
// clone kills the group and removes the hidden temporary directory the
// clone was made in, so a workspace either appears whole or not at all.
//
// List reads .git/HEAD through the root for the branch and runs `git
// status` (a few at a time, each bounded by Options.StatusTimeout) for
// Dirty. Measured on two cores with ten small repositories: about 84 ms
// per List with git status, 0.5 ms with HEAD only (StatusTimeout < 0).
package workspace
