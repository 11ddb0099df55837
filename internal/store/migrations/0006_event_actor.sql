-- 0005: who caused an audit event, when that is not the login it is about:
-- the admin behind admin.kick, admin.refresh_keys and admin.accept_keys.
-- '' for events written before, and for events nobody acted on.
ALTER TABLE events ADD COLUMN actor TEXT NOT NULL DEFAULT '';
