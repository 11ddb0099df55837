// Package auth owns the identity decision: who may log in (the allowlist),
// which public keys belong to whom (GitHub key fetching, the key cache
// policy, the offline keys file and laptop-mode key files, and which login
// holds a key several logins list) and the verified-key → login index that
// names the owner of a session.
//
// The SSH server calls [Authenticator.CheckKey] from its public-key callback,
// [Authenticator.Verified] once a key's signature checked out, and
// [Authenticator.Identify] with the key that completed authentication.
// All three are memory lookups against an immutable snapshot: they never do
// network or disk I/O, and only Verified records anything (that a login
// signed in with a key, written in the background). All fetching happens in
// goroutines owned by [Authenticator.Run] or in an admin's explicit
// [Authenticator.Refresh].
//
// A key identifies one login: its holder, the first login seen listing it
// (see claims.go). A second login listing it is refused for that key.
//
// Keys are fetched only for allowlisted logins, one fetch at a time per
// login. A failed fetch never erases cached keys. Package auth does no SSH
// I/O and no SQL: persistence goes through the small [KeyStore] and
// [Auditor] interfaces, which *store.Store satisfies.
package auth
