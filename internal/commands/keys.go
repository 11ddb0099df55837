package commands

import (
	"context"
	"strconv"
	"time"
)

// KeyInfo is one cached public key.
type KeyInfo struct {
	Type        string // e.g. "ssh-ed25519"
	Fingerprint string // SHA256:…
	Comment     string // may be empty; untrusted
}

// KeySet is a login's cached keys.
type KeySet struct {
	Keys      []KeyInfo
	FetchedAt time.Time // last successful fetch; zero if never
	LastError string    // why the last fetch failed; empty after a success
}

// KeySource is what the key commands need.
type KeySource interface {
	// Keys returns login's cached keys.
	Keys(ctx context.Context, login string) (KeySet, error)
	// Refresh fetches login's keys now and returns the new set; an
	// unknown login is an error wrapping ErrNotFound. With accept, a set
	// that shares no key with the cached one is taken rather than held.
	Refresh(ctx context.Context, login string, accept bool) (KeySet, error)
}

type keyRecord struct {
	Type        string `json:"type"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment"`
	InUse       bool   `json:"in_use"` // the key of this connection
}

type keysRecord struct {
	Login     string      `json:"login"`
	FetchedAt jsonTime    `json:"fetched_at"`
	LastError string      `json:"last_error"`
	Keys      []keyRecord `json:"keys"`
}

// Keys lists the caller's cached keys. Text fields: type, fingerprint,
// fetch time, comment. A failed last fetch is noted on stderr.
func Keys(k KeySource) Command {
	return Command{
		Name:    "keys",
		Args:    "[--json]",
		Summary: "list your cached public keys: type, fingerprint, fetch time, comment",
		Flags:   []Flag{jsonFlag},
		Run: func(ctx context.Context, env Env, args []string) error {
			asJSON, err := jsonOnly(args, "keys")
			if err != nil {
				return err
			}
			set, err := k.Keys(ctx, env.Identity.Login)
			if err != nil {
				return err
			}
			if asJSON {
				rec := keysRecord{Login: env.Identity.Login, FetchedAt: jsonTime(set.FetchedAt), LastError: set.LastError, Keys: []keyRecord{}}
				for _, key := range set.Keys {
					rec.Keys = append(rec.Keys, keyRecord{key.Type, key.Fingerprint, key.Comment, key.Fingerprint == env.Identity.Fingerprint})
				}
				return writeJSON(stdout(env), rec)
			}
			t := newTable(stdout(env))
			for _, key := range set.Keys {
				t.row(key.Type, key.Fingerprint, textTime(set.FetchedAt), key.Comment)
			}
			if err := t.flush(); err != nil {
				return err
			}
			if set.LastError != "" {
				_, err = stderr(env).Write([]byte("warren: keys: last fetch failed: " + oneLine(set.LastError) + "\n"))
			}
			return err
		},
	}
}

// RefreshKeys fetches a login's keys now and prints the login and the
// number of keys it has. --accept takes a key set that replaced the cached
// one entirely, which a plain fetch holds for an admin to check.
func RefreshKeys(k KeySource) Command {
	return Command{
		Name:    "refresh-keys",
		Args:    "[--accept] LOGIN",
		Summary: "fetch LOGIN's public keys now; --accept takes a wholly new key set; prints login and key count",
		Flags:   []Flag{{Name: "accept", Usage: "take a key set that shares no key with the cached one (check first that the account is still the same person's)"}},
		Admin:   true,
		Run: func(ctx context.Context, env Env, args []string) error {
			fs := newFlags("refresh-keys")
			accept := fs.Bool("accept", false, "")
			pos, err := parseArgs(fs, args)
			if err != nil {
				return err
			}
			if len(pos) != 1 || pos[0] == "" {
				return Usagef("refresh-keys takes one login")
			}
			login := pos[0]
			set, err := k.Refresh(ctx, login, *accept)
			if err != nil {
				return named(login, err)
			}
			t := newTable(stdout(env))
			t.row(login, strconv.Itoa(len(set.Keys)))
			return t.flush()
		},
	}
}

// oneLogin parses args that are one login and no flags.
func oneLogin(args []string, cmd string) (string, error) {
	pos, err := parseArgs(newFlags(cmd), args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 || pos[0] == "" {
		return "", Usagef("%s takes one login", cmd)
	}
	return pos[0], nil
}
