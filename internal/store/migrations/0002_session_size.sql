-- 0002: the window size a session last ran at, so that a session restored
-- after a restart starts its program at that size. 0 means unknown.
ALTER TABLE sessions ADD COLUMN cols INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN rows INTEGER NOT NULL DEFAULT 0;
