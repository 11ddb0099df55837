// Package isolation runs each login's programs as that login's own Unix
// user, the way OpenSSH's privilege separation does: the server keeps only
// the capabilities it needs to switch users, and a session, a git clone or
// a git status of one login can never read another's files.
//
// It decides at start whether the server can switch uids (Detect), gives
// each login a stable uid of its own (Accounts, backed by the store), hands
// the login's directories to that uid (0700), gives the uid a name in a
// passwd and group file of the login's own (read through nss_wrapper, or
// as the sandbox's /etc/passwd), and starts programs through a
// small re-exec of the warren binary (Shim) that sets the umask and
// resource limits, and optionally enters a bubblewrap sandbox, before it
// execs the real program.
package isolation
