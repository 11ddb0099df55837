// Package commands owns warren's SSH exec commands (`ssh HOST whoami`,
// `ssh HOST ls`, …): their names, usage lines, argument parsing, output and
// exit codes.
//
// It declares the small interfaces it needs from the rest of warren
// (Workspaces, HistorySource, KeySource, Admin) and never touches SSH
// channels, SQL or processes itself: the server hands it an Env with the
// verified identity, the arguments and the output streams, and wires
// concrete types into the constructors (Ls, New, Stop, Rm, History, Keys,
// Users, Sessions, Audit, Kick, RefreshKeys).
//
// Output, for scripts: one record per line, fields separated by tabs,
// untrusted text with control characters replaced by '?', times in RFC 3339
// UTC, "-" for an empty field; with --json one JSON value on one line with
// snake_case names and null for unknown times. Flags may come before, between
// or after the arguments. `help COMMAND`, `COMMAND -h` and `COMMAND --help`
// print a command's usage, summary and flags. Errors are one line on
// stderr: the message meant for the user (an error's UserMessage, see
// UserError and ServerError) rather than the chain of operations behind
// it, which the router logs.
//
// Exit codes, documented once:
//
//	0    success
//	1    the command failed (one line on stderr says why)
//	2    usage error
//	127  unknown command
//	255  server failure
package commands
