-- 0004: one Unix uid per login (its gid is the same number), for tenant
-- isolation. A row is never updated, replaced or deleted: a uid once given
-- stays with its login for good, so the files it owns can never pass to a
-- login added later. The triggers refuse all three, INSERT OR REPLACE
-- included (REPLACE deletes without firing delete triggers).
CREATE TABLE accounts (
	login      TEXT    NOT NULL PRIMARY KEY CHECK (login <> ''),
	uid        INTEGER NOT NULL UNIQUE CHECK (uid BETWEEN 1 AND 4294967294),
	created_at INTEGER NOT NULL
) STRICT;

CREATE TRIGGER accounts_never_replaced BEFORE INSERT ON accounts
WHEN EXISTS (SELECT 1 FROM accounts WHERE login = NEW.login OR uid = NEW.uid)
BEGIN
	SELECT RAISE(ABORT, 'accounts: a login or uid once given is never replaced');
END;

CREATE TRIGGER accounts_never_updated BEFORE UPDATE ON accounts
BEGIN
	SELECT RAISE(ABORT, 'accounts: rows are never updated');
END;

CREATE TRIGGER accounts_never_deleted BEFORE DELETE ON accounts
BEGIN
	SELECT RAISE(ABORT, 'accounts: rows are never deleted');
END;
