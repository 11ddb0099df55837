-- 0005: a session whose program could not start is kept as 'failed' with
-- the reason, so that ls shows why after a restart and the next start does
-- not restore it. SQLite cannot change a CHECK constraint in place, so the
-- table is rebuilt with every row copied.
CREATE TABLE sessions_new (
	login      TEXT    NOT NULL,
	workspace  TEXT    NOT NULL,
	id         TEXT    NOT NULL UNIQUE,
	state      TEXT    NOT NULL CHECK (state IN ('running', 'exited', 'stopped', 'failed')),
	exit_code  INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	cols       INTEGER NOT NULL DEFAULT 0,
	rows       INTEGER NOT NULL DEFAULT 0,
	error      TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (login, workspace)
) STRICT;

INSERT INTO sessions_new (login, workspace, id, state, exit_code, created_at, updated_at, cols, rows)
SELECT login, workspace, id, state, exit_code, created_at, updated_at, cols, rows FROM sessions;

DROP TABLE sessions;

ALTER TABLE sessions_new RENAME TO sessions;
