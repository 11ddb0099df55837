-- 0003: the workspace each login last attached to, so that the picker
-- selects it again at the next login.
ALTER TABLE users ADD COLUMN last_workspace TEXT NOT NULL DEFAULT '';
