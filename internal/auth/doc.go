// Package auth owns the identity decision: who may log in (the allowlist),
// which public keys belong to whom (GitHub key fetching, the key cache
// policy, the offline keys file and laptop-mode key files) and the
// verified-key → login index that names the owner of a session.
//
// The SSH server calls [Authenticator.CheckKey] from its public-key callback
// and [Authenticator.Identify] with the key that completed authentication.
// Both are pure memory lookups against an immutable snapshot: they never do
// network or disk I/O and never record anything about the keys they are
// asked about. All fetching happens in goroutines owned by
// [Authenticator.Run] or in an admin's explicit [Authenticator.Refresh].
//
// Keys are fetched only for allowlisted logins, one fetch at a time per
// login. A failed fetch never erases cached keys. Package auth does no SSH
// I/O and no SQL: persistence goes through the small [KeyStore] and
// [Auditor] interfaces, which *store.Store satisfies.
package auth
