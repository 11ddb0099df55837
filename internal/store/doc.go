// Package store owns warren's SQLite database: opening it with the right
// pragmas, refusing a corrupt or too-new file, applying the embedded
// forward-only migrations, and the typed queries over users, the GitHub key
// cache, the audit log, session records and each login's Unix uid. It is
// the only package with SQL.
//
// It must not make policy decisions (who may log in, whether an empty key
// set may replace a cached one), must not do network I/O, and must never
// hold a transaction open across a call into another package. Every error
// it returns is wrapped with the operation that failed; driver errors are
// translated into the sentinels in errors.go in one place.
package store
