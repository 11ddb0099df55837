package commands

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"
)

// KeyInfo is one cached public key.
type KeyInfo struct {
	Type        string // e.g. "ssh-ed25519"
	Fingerprint string // SHA256:…
	Comment     string // may be empty; untrusted
	KeyConflict        // zero when the key is the login's
}

// KeyConflict says why a key a login lists is not that login's: another
// login holds it, or several logins listed it at once and it is nobody's
// yet. The zero value is no conflict.
type KeyConflict struct {
	HeldBy    string // the login holding the key; "" while Contested
	Contested bool   // listed by several logins at once, nobody's yet
	// Takeable reports whether the login takes the key by signing in with
	// it (its holder only ever listed it, or it is Contested).
	Takeable bool
}

// conflicted reports whether c is a conflict at all.
func (c KeyConflict) conflicted() bool { return c.HeldBy != "" || c.Contested }

// refused reports whether the key lets the login listing it not in.
func (c KeyConflict) refused() bool { return c.conflicted() && !c.Takeable }

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
	// GiveKey makes the key with fingerprint fp, which login lists,
	// login's, and returns the login that held it ("" for none). An
	// unknown login is an error wrapping ErrNotFound.
	GiveKey(ctx context.Context, login, fp string) (from string, err error)
}

type keyRecord struct {
	Type        string `json:"type"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment"`
	InUse       bool   `json:"in_use"`    // the key of this connection
	Refused     bool   `json:"refused"`   // another login holds it: it lets this login not in
	HeldBy      string `json:"held_by"`   // that login, for admins; "" otherwise
	Contested   bool   `json:"contested"` // listed by several logins at once, nobody's yet
}

type keysRecord struct {
	Login     string      `json:"login"`
	FetchedAt jsonTime    `json:"fetched_at"`
	LastError string      `json:"last_error"`
	Keys      []keyRecord `json:"keys"`
}

// Keys lists the caller's cached keys, or (admins) another login's. Text
// fields: type, fingerprint, fetch time, comment. A failed last fetch and
// each key that is not the login's (another login holds it) are noted on
// stderr; the holder is named to admins only.
func Keys(k KeySource) Command {
	return Command{
		Name:    "keys",
		Args:    "[--json] [LOGIN]",
		Summary: "list your cached public keys (an admin: LOGIN's): type, fingerprint, fetch time, comment",
		Flags:   []Flag{jsonFlag},
		Run: func(ctx context.Context, env Env, args []string) error {
			fs := newFlags("keys")
			asJSON := fs.Bool("json", false, "")
			pos, err := parseArgs(fs, args)
			if err != nil {
				return err
			}
			login := env.Identity.Login
			switch {
			case len(pos) > 1 || len(pos) == 1 && pos[0] == "":
				return Usagef("keys takes at most one login")
			case len(pos) == 1 && pos[0] != login:
				if !env.Identity.Admin {
					return fmt.Errorf("keys %s: %w: admins only", quote(pos[0]), ErrPermission)
				}
				login = pos[0]
			}
			set, err := k.Keys(ctx, login)
			if err != nil {
				return named(login, err)
			}
			self := login == env.Identity.Login
			if *asJSON {
				rec := keysRecord{Login: login, FetchedAt: jsonTime(set.FetchedAt), LastError: set.LastError, Keys: []keyRecord{}}
				for _, key := range set.Keys {
					r := keyRecord{Type: key.Type, Fingerprint: key.Fingerprint, Comment: key.Comment,
						InUse: self && key.Fingerprint == env.Identity.Fingerprint, Refused: key.refused(), Contested: key.Contested}
					if env.Identity.Admin {
						r.HeldBy = key.HeldBy
					}
					rec.Keys = append(rec.Keys, r)
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
				if _, err := stderr(env).Write([]byte("warren: keys: last fetch failed: " + oneLine(set.LastError) + "\n")); err != nil {
					return err
				}
			}
			for _, key := range set.Keys {
				if err := writeKeyConflict(stderr(env), env.Identity, login, key); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// writeKeyConflict notes on w why key, which login lists, is not login's,
// if it is not. Only an admin is told who holds it.
func writeKeyConflict(w io.Writer, caller Identity, login string, key KeyInfo) error {
	var msg string
	switch {
	case !key.conflicted():
		return nil
	case !caller.Admin && key.refused():
		msg = "is held by another login: refused for you (an admin can hand it over with give-key)"
	case !caller.Admin:
		msg = "is listed by another login too: the first to sign in with it gets it"
	case key.Contested:
		msg = "is listed by several logins and nobody's yet: the first of them to sign in with it gets it"
	case key.Takeable:
		msg = fmt.Sprintf("is held by %s, who never signed in with it: %s takes it by signing in with it", field(key.HeldBy), field(login))
	default:
		msg = fmt.Sprintf("is held by %s: refused for %s", field(key.HeldBy), field(login))
	}
	_, err := fmt.Fprintf(w, "warren: keys: %s %s\n", field(key.Fingerprint), msg)
	return err
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

// GiveKey hands keys a login lists over to it: each identifies that login
// from now on, and moves again only by an admin. It prints, per key, the
// login, the fingerprint and the login that held it ("-" for none).
func GiveKey(k KeySource) Command {
	return Command{
		Name:    "give-key",
		Args:    "LOGIN FINGERPRINT...",
		Summary: "make keys LOGIN lists LOGIN's, taken from the login holding them (its connections with them close); prints login, fingerprint, previous holder",
		Admin:   true,
		Run: func(ctx context.Context, env Env, args []string) error {
			pos, err := parseArgs(newFlags("give-key"), args)
			if err != nil {
				return err
			}
			if len(pos) < 2 || pos[0] == "" {
				return Usagef("give-key takes a login and one or more key fingerprints (see keys LOGIN)")
			}
			login := pos[0]
			t := newTable(stdout(env))
			for _, fp := range pos[1:] {
				from, err := k.GiveKey(ctx, login, fp)
				if err != nil {
					_ = t.flush()
					return named(login, err)
				}
				t.row(login, fp, from)
			}
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
