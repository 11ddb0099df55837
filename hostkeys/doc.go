// Package hostkeys owns warren's SSH host keys: it loads them from a
// directory, generates the missing ones on first start, persists them
// atomically with mode 0600, and reports their SHA256 fingerprints.
//
// The directory holds two OpenSSH-format private keys, ssh_host_ed25519_key
// and ssh_host_rsa_key (RSA-3072), each with its .pub file next to it.
// LoadOrCreate returns them ed25519 first, then RSA. Load returns the keys
// a directory already holds and writes nothing, for a directory warren must
// check before anything is made or must not write into.
//
// A host key that users have learned must never change behind their back, so
// hostkeys refuses to start instead of regenerating when something is wrong:
// a key file that is corrupt, encrypted, not a private key, of the wrong
// type, a symlink, not a regular file, accessible by group or others (like
// OpenSSH's "UNPROTECTED PRIVATE KEY FILE"), not readable by its owner (mode
// 0000, refused even for root), or owned by another uid; a directory that is
// writable by group or others or owned by someone other than the process or
// root; and a .pub file that does not match its private key. Every such
// error names the file.
//
// If exactly one of the two keys exists and the directory and that key pass
// every check, only the missing key is generated: the existing key, which
// clients may already pin, is kept. A missing .pub file is recreated from its
// private key (it is derived data).
//
// Two processes starting on the same empty directory at the same moment may
// each generate a key and the last rename wins; warren expects one process
// per host-key directory.
//
// Package hostkeys never serves SSH, never reads configuration and imports no
// other warren package.
package hostkeys
