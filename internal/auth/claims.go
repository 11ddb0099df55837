package auth

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/warren-ssh/warren/internal/store"
)

// Who a public key belongs to.
//
// Every key an allowlisted login lists (GitHub, the keys file, local key
// files alike) has one holder: the first login warren saw listing it. It
// identifies its holder only. Another login that lists it is refused for
// that key alone (a conflict: logged, audited once, shown to admins); its
// other keys work. Listing a key never takes it from anyone, and a holder
// keeps it across restarts, refreshes and while it does not list it.
//
// Two things move a key. Its private key: a login that lists the key and
// whose user signs in with it takes it from a holder that never did (one
// that had only listed it first, as a squatter copying a teammate's new
// key faster than warren refreshes would), and a key first seen listed by
// several logins at once (a tie) is nobody's until one of them does so.
// Only the holder of the private key can sign, and it chooses among logins
// that vouch for the key by listing it. And an admin: GiveKey. A key whose
// holder signed in with it, or was given it, moves only by an admin.

// Audit event kinds about key holders.
const (
	// EventKeysConflict: a login lists a key that another login holds, or
	// that several logins listed at once; it is refused for that key.
	// Login is the refused login, Detail names the holder.
	EventKeysConflict = "keys.conflict"
	// EventKeysClaimed: a login took a key by signing in with it.
	EventKeysClaimed = "keys.claimed"
)

// claimRetryInterval is how soon a failed write of the key claims is tried
// again.
const claimRetryInterval = 5 * time.Second

// keyRecord is who one public key belongs to, and which other logins list
// it and are refused for it.
type keyRecord struct {
	holder string    // "" while contested: first seen listed by several logins at once
	how    string    // store.KeyListed, KeySigned or KeyGiven
	since  time.Time // when holder took it
	// refused maps each other login seen listing it to when it was first
	// seen doing so; an entry goes when its login stops listing the key.
	refused map[string]time.Time
}

// takeable reports whether a login listing the key, other than its holder,
// takes it by signing in with it.
func (r *keyRecord) takeable() bool { return r.holder == "" || r.how == store.KeyListed }

// keyOwner is the login a key identifies in a snapshot.
type keyOwner struct {
	login  string
	proven bool // signed in with it, or given it: nothing to record at its next login
}

// Conflict is a key a login lists that does not let it in: another login
// holds it, or several logins listed it at once and nobody holds it yet.
type Conflict struct {
	Login       string // the login that lists the key and is refused for it
	Fingerprint string
	Holder      string // the login the key belongs to; "" while contested
	// HolderLists reports whether the holder lists the key now (so that it
	// lets the holder in).
	HolderLists bool
	Since       time.Time // when Login was first seen listing the key
	// Takeable reports whether Login takes the key by signing in with it:
	// nobody holds it, or its holder only ever listed it.
	Takeable bool
}

// claimID names one row of the key claims.
type claimID struct{ fingerprint, login string }

// loadClaims reads the key claims from the store into a.keyRecs and returns
// the refused claims it read, so that New can say which conflicts still
// stand. a.mu must be held.
func (a *Authenticator) loadClaimsLocked(ctx context.Context) (map[claimID]bool, error) {
	loaded := map[claimID]bool{}
	if a.opts.Store == nil {
		return loaded, nil
	}
	rows, err := a.opts.Store.KeyClaims(ctx)
	if err != nil {
		return nil, fmt.Errorf("load key claims: %w", err)
	}
	for _, c := range rows {
		login, err := NormalizeLogin(c.Login)
		if err != nil || login != c.Login {
			a.log.Warn("ignoring key claim of invalid login", "login", quoteTrunc(c.Login))
			continue
		}
		id := claimID{c.Fingerprint, login}
		a.saved[id] = c
		rec := a.keyRecs[c.Fingerprint]
		if rec == nil {
			rec = &keyRecord{refused: map[string]time.Time{}}
			a.keyRecs[c.Fingerprint] = rec
		}
		if c.Holder {
			rec.holder, rec.how, rec.since = login, c.How, c.Since
			continue
		}
		rec.refused[login] = c.Since
		loaded[id] = true
	}
	return loaded, nil
}

// logStanding says, once at start, which conflicts read from the store
// still stand.
func (a *Authenticator) logStanding(loaded map[claimID]bool) {
	for _, c := range a.snap.Load().conflicts {
		if !loaded[claimID{c.Fingerprint, c.Login}] {
			continue
		}
		if c.Holder == "" {
			a.log.Warn("key conflict still standing: the key is nobody's until a login listing it signs in with it, or an admin runs give-key",
				"login", c.Login, "fingerprint", c.Fingerprint, "since", c.Since.UTC().Format(time.RFC3339))
			continue
		}
		a.log.Warn("key conflict still standing: the key stays refused for the login until an admin runs give-key",
			"login", c.Login, "holder", c.Holder, "fingerprint", c.Fingerprint, "since", c.Since.UTC().Format(time.RFC3339))
	}
}

// resolveClaimsLocked decides, for the keys listed now (fingerprint → the
// allowlisted logins listing it), who each one identifies, and fills s's
// owners, provable and conflicts. A key seen for the first time goes to the
// one login listing it, or to nobody when several list it at once. A new
// conflict is logged and queued for the audit log; claims that ended are
// forgotten, holders are kept. a.mu must be held.
func (a *Authenticator) resolveClaimsLocked(s *snapshot, listed map[string][]string) {
	now := a.now()
	for fp, logins := range listed {
		slices.Sort(logins)
		rec := a.keyRecs[fp]
		isNew := rec == nil
		if isNew {
			rec = &keyRecord{refused: map[string]time.Time{}}
			a.keyRecs[fp] = rec
			if len(logins) == 1 {
				rec.holder, rec.how, rec.since = logins[0], store.KeyListed, now
			}
		}
		holderLists := rec.holder != "" && slices.Contains(logins, rec.holder)
		if holderLists {
			s.owners[fp] = keyOwner{login: rec.holder, proven: rec.how != store.KeyListed}
		}
		var fresh []string
		for _, l := range logins {
			if l == rec.holder {
				continue
			}
			since, ok := rec.refused[l]
			if !ok {
				since = now
				rec.refused[l] = now
				fresh = append(fresh, l)
			}
			s.conflicts = append(s.conflicts, Conflict{Login: l, Fingerprint: fp, Holder: rec.holder,
				HolderLists: holderLists, Since: since, Takeable: rec.takeable()})
			if rec.takeable() {
				s.provable[fp] = append(s.provable[fp], l)
			}
		}
		a.reportConflictsLocked(fp, rec, logins, fresh, isNew, now)
	}
	for fp, rec := range a.keyRecs {
		for l := range rec.refused {
			if !slices.Contains(listed[fp], l) {
				delete(rec.refused, l) // no longer listed: the conflict is over
			}
		}
		if rec.holder == "" && len(rec.refused) == 0 {
			delete(a.keyRecs, fp)
		}
	}
	slices.SortFunc(s.conflicts, func(x, y Conflict) int {
		return strings.Compare(x.Login+"\x00"+x.Fingerprint, y.Login+"\x00"+y.Fingerprint)
	})
	a.pokeWriter()
}

// reportConflictsLocked logs and queues for the audit log the logins that
// began listing fp while it is refused for them (fresh). a.mu must be held.
func (a *Authenticator) reportConflictsLocked(fp string, rec *keyRecord, logins, fresh []string, isNew bool, now time.Time) {
	if len(fresh) == 0 {
		return
	}
	if rec.holder == "" {
		detail := "contested by " + strings.Join(logins, ",") + ": nobody's until one of them signs in with it"
		if isNew {
			detail = "listed at once by " + strings.Join(logins, ",") + ": nobody's until one of them signs in with it"
		}
		a.log.Warn("key conflict: a key listed by several logins at once is nobody's until one of them signs in with it, or an admin runs give-key",
			"fingerprint", fp, "logins", strings.Join(logins, ","))
		for _, l := range fresh {
			a.outbox = append(a.outbox, store.Event{At: now, Kind: EventKeysConflict, Login: l, Fingerprint: fp, Detail: detail})
		}
		return
	}
	for _, l := range fresh {
		a.log.Warn("key conflict: a key listed by a second login stays with its holder and is refused for the newcomer",
			"login", l, "holder", rec.holder, "fingerprint", fp, "takeable", rec.takeable())
		a.outbox = append(a.outbox, store.Event{At: now, Kind: EventKeysConflict, Login: l, Fingerprint: fp, Detail: "held by " + rec.holder})
	}
}

// Verified is told that key's signature just checked out for the SSH user
// login. It returns the identity the key gives, which is login's or none:
// the key must identify login, or be one login lists and takes by signing
// in with it (see the package's rules on who a key belongs to), which it
// then does, for good. A holder's first sign-in with its key is recorded,
// so that the key no longer moves but by an admin. The call does no I/O:
// what changed is written to the store in the background.
func (a *Authenticator) Verified(login string, key ssh.PublicKey) (Identity, bool) {
	if key == nil {
		return Identity{}, false
	}
	fp := ssh.FingerprintSHA256(key)
	login, err := NormalizeLogin(login)
	if err != nil {
		return Identity{}, false
	}
	s := a.snap.Load()
	o, owned := s.owners[fp]
	switch {
	case owned && o.login == login && o.proven:
		return s.identity(login, fp)
	case owned && o.login == login, slices.Contains(s.provable[fp], login):
	default:
		return Identity{}, false
	}

	a.mu.Lock()
	s = a.snap.Load()
	rec := a.keyRecs[fp]
	lk := s.logins[login]
	if rec == nil || lk == nil {
		a.mu.Unlock()
		return Identity{}, false
	}
	if _, lists := lk.fps[fp]; !lists {
		a.mu.Unlock()
		return Identity{}, false
	}
	switch {
	case rec.holder == login:
		if rec.how == store.KeyListed {
			rec.how = store.KeySigned
			a.log.Debug("holder signed in with its key: it moves only by an admin now", "login", login, "fingerprint", fp)
		}
	case rec.takeable():
		from, listedBy := rec.holder, s.listers(fp)
		delete(rec.refused, login)
		rec.holder, rec.how, rec.since = login, store.KeySigned, a.now()
		var detail string
		if from == "" {
			detail = "signed in with it; listed at once by " + strings.Join(listedBy, ",")
			a.log.Warn("key taken by signing in with it: several logins listed it at once",
				"login", login, "fingerprint", fp, "logins", strings.Join(listedBy, ","))
		} else {
			detail = "signed in with it; held by " + from + ", who had only listed it"
			a.log.Warn("key taken by signing in with it: the login holding it had only listed it",
				"login", login, "from", from, "fingerprint", fp)
		}
		a.outbox = append(a.outbox, store.Event{At: rec.since, Kind: EventKeysClaimed, Login: login, Fingerprint: fp, Detail: detail})
	default:
		a.mu.Unlock()
		return Identity{}, false
	}
	a.publishLocked()
	s = a.snap.Load()
	a.mu.Unlock()
	return s.identity(login, fp)
}

// GiveKey makes the key with fingerprint fp, which login lists, login's
// (an admin's give-key; by is the admin, for the log): it identifies login
// from now on and moves again only by an admin. The previous holder's live
// connections with it are revoked (Changed fires); if it still lists the
// key, that is a new conflict. It returns the previous holder ("" if
// nobody held it; login if it held it already).
func (a *Authenticator) GiveKey(login, fp, by string) (from string, err error) {
	login, err = NormalizeLogin(login)
	if err != nil {
		return "", fmt.Errorf("give key: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	lk, ok := a.snap.Load().logins[login]
	if !ok {
		return "", fmt.Errorf("give key to %s: %w", login, ErrNotAllowed)
	}
	rec := a.keyRecs[fp]
	if _, lists := lk.fps[fp]; !lists || rec == nil {
		return "", fmt.Errorf("give key %s to %s: %w", quoteTrunc(fp), login, ErrKeyNotListed)
	}
	from = rec.holder
	delete(rec.refused, login)
	rec.holder, rec.how, rec.since = login, store.KeyGiven, a.now()
	a.log.Warn("key given by an admin", "login", login, "from", from, "by", by, "fingerprint", fp)
	a.publishLocked()
	return from, nil
}

// Conflicts returns every key a login lists and is refused for, sorted by
// login, then fingerprint.
func (a *Authenticator) Conflicts() []Conflict {
	return slices.Clone(a.snap.Load().conflicts)
}

// ConflictOf returns the conflict of login over the key with fingerprint
// fp, if login lists that key and is refused for it.
func (a *Authenticator) ConflictOf(login, fp string) (Conflict, bool) {
	login, err := NormalizeLogin(login)
	if err != nil {
		return Conflict{}, false
	}
	for _, c := range a.snap.Load().conflicts {
		if c.Login == login && c.Fingerprint == fp {
			return c, true
		}
	}
	return Conflict{}, false
}

// identity is the Identity of an allowlisted login for the key fp.
func (s *snapshot) identity(login, fp string) (Identity, bool) {
	e, ok := s.allow.Lookup(login)
	if !ok {
		return Identity{}, false
	}
	return Identity{Login: e.Login, Admin: e.Admin, Fingerprint: fp}, true
}

// listers returns the logins listing fp in s, sorted.
func (s *snapshot) listers(fp string) []string {
	var out []string
	for login, lk := range s.logins {
		if _, ok := lk.fps[fp]; ok {
			out = append(out, login)
		}
	}
	slices.Sort(out)
	return out
}

// pokeWriter tells the claim writer that there may be something to write.
func (a *Authenticator) pokeWriter() {
	select {
	case a.claimsDirty <- struct{}{}:
	default: // already poked
	}
}

// claimWriter writes the key claims and their audit events whenever they
// may have changed, and once more when ctx ends. It ends when ctx ends.
func (a *Authenticator) claimWriter(ctx context.Context) {
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = a.flushClaims(fctx) // logged inside
			cancel()
			return
		case <-a.claimsDirty:
		case <-retry:
		}
		retry = nil
		if err := a.flushClaims(ctx); err != nil {
			retry = time.After(claimRetryInterval)
		}
	}
}

// flushClaims writes to the store what changed in the key claims since the
// last write, then the audit events queued meanwhile. A failed write is
// logged and returned; the next flush tries it again.
func (a *Authenticator) flushClaims(ctx context.Context) error {
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	a.mu.Lock()
	rows := a.claimRowsLocked()
	events := a.outbox
	a.outbox = nil
	a.mu.Unlock()
	var err error
	if a.opts.Store != nil {
		put, drop := diffClaims(a.saved, rows)
		if err = a.opts.Store.UpdateKeyClaims(ctx, put, drop); err != nil {
			a.log.Error("store key claims", "err", err, "changes", len(put)+len(drop))
		} else {
			a.saved = rows
		}
	}
	for _, e := range events {
		a.audit(ctx, e)
	}
	return err
}

// claimRowsLocked returns the key claims as the store keeps them. a.mu
// must be held.
func (a *Authenticator) claimRowsLocked() map[claimID]store.KeyClaim {
	rows := make(map[claimID]store.KeyClaim)
	for fp, rec := range a.keyRecs {
		if rec.holder != "" {
			rows[claimID{fp, rec.holder}] = store.KeyClaim{Fingerprint: fp, Login: rec.holder, Holder: true, Since: rec.since, How: rec.how}
		}
		for l, since := range rec.refused {
			rows[claimID{fp, l}] = store.KeyClaim{Fingerprint: fp, Login: l, Since: since}
		}
	}
	return rows
}

// diffClaims returns the rows of now that differ from saved, and the rows
// of saved that now lacks, in a stable order.
func diffClaims(saved, now map[claimID]store.KeyClaim) (put, drop []store.KeyClaim) {
	for _, id := range sortedIDs(now) {
		c := now[id]
		if old, ok := saved[id]; !ok || old.Holder != c.Holder || old.How != c.How || !old.Since.Equal(c.Since) {
			put = append(put, c)
		}
	}
	for _, id := range sortedIDs(saved) {
		if _, ok := now[id]; !ok {
			drop = append(drop, saved[id])
		}
	}
	return put, drop
}

func sortedIDs(m map[claimID]store.KeyClaim) []claimID {
	return slices.SortedFunc(maps.Keys(m), func(x, y claimID) int {
		if c := strings.Compare(x.fingerprint, y.fingerprint); c != 0 {
			return c
		}
		return strings.Compare(x.login, y.login)
	})
}
