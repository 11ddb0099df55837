// Package commands owns warren's SSH exec commands (`ssh HOST whoami`,
// `ssh HOST ls`, …): their names, usage lines, argument parsing, output and
// exit codes.
//
// It declares the small interfaces it needs from the rest of warren and never
// touches SSH channels, SQL or processes itself: the server hands it an Env
// with the verified identity, the arguments and the output streams.
//
// Exit codes, documented once:
//
//	0    success
//	1    the command failed (one line on stderr says why)
//	2    usage error
//	127  unknown command
//	255  server failure
package commands
