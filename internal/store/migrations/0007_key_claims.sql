-- 0007: which login each public key belongs to, so that a key listed by a
-- second login stays with the login that held it first, across restarts
-- and refreshes. One row per (key, login): the key's holder (holder = 1,
-- at most one per key), and each other login that lists it and is refused
-- for it (holder = 0), kept so that a conflict is audited once. A holder's
-- row stays when it stops listing the key: listing it again later, or
-- someone else listing it, does not hand it over. since is when the holder
-- took the key, or when warren first saw a refused login list it; how says
-- how the holder came to hold it: listed (seen first), signed (signed in
-- with it), given (an admin's give-key); '' for a refused claim.
-- Databases from before this migration have no rows: at the next start
-- each key goes to the one login listing it, and a key several logins list
-- is nobody's until one of them signs in with it.
CREATE TABLE key_claims (
	fingerprint TEXT    NOT NULL CHECK (fingerprint <> ''),
	login       TEXT    NOT NULL CHECK (login <> ''),
	holder      INTEGER NOT NULL CHECK (holder IN (0, 1)),
	since       INTEGER NOT NULL,
	how         TEXT    NOT NULL DEFAULT '' CHECK (how IN ('', 'listed', 'signed', 'given')),
	CHECK ((holder = 1) = (how <> '')),
	PRIMARY KEY (fingerprint, login)
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX key_claims_one_holder ON key_claims (fingerprint) WHERE holder = 1;
