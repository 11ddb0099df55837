// Package quota measures how much disk each login's trees (its
// workspaces and HOME) take, du-style, in the background and at a bounded
// rate, and says whether a login is over its quota so that the caller can
// refuse it a new session.
//
// A measurement counts allocated blocks (what du counts, not apparent
// sizes), a file with several links once, never follows a symlink and
// never crosses into another file system mounted inside a tree. It only
// reads: it never changes, deletes or opens for writing anything it
// walks. It imports nothing of warren's.
//
// It is a check, not an enforcement: a login can write past its quota
// between two measurements (Options.Interval, plus the time a measurement
// takes), and what it wrote stays. The kernel's own quotas (ext4 and XFS
// project quotas) would stop the writes themselves; this package is for
// the machines where those are not available.
package quota
