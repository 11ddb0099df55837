-- 0001: initial schema. Times are UTC unix nanoseconds; NULL means "never".

CREATE TABLE users (
	login      TEXT    NOT NULL PRIMARY KEY,
	first_seen INTEGER NOT NULL,
	last_login INTEGER
) STRICT;

-- key_sets has one row per login whose keys were ever fetched or attempted.
CREATE TABLE key_sets (
	login      TEXT    NOT NULL PRIMARY KEY,
	fetched_at INTEGER,
	checked_at INTEGER NOT NULL,
	last_error TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE keys (
	login TEXT NOT NULL REFERENCES key_sets (login) ON DELETE CASCADE,
	key   TEXT NOT NULL,
	PRIMARY KEY (login, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at          INTEGER NOT NULL,
	kind        TEXT    NOT NULL,
	login       TEXT    NOT NULL DEFAULT '',
	remote      TEXT    NOT NULL DEFAULT '',
	fingerprint TEXT    NOT NULL DEFAULT '',
	detail      TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX events_at ON events (at);
CREATE INDEX events_login_at ON events (login, at);

-- sessions has one row per (login, workspace). A conversation id belongs to
-- exactly one of them.
CREATE TABLE sessions (
	login      TEXT    NOT NULL,
	workspace  TEXT    NOT NULL,
	id         TEXT    NOT NULL UNIQUE,
	state      TEXT    NOT NULL CHECK (state IN ('running', 'exited', 'stopped')),
	exit_code  INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (login, workspace)
) STRICT;
