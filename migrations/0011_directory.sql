-- The register's directory (issue 11): username → core, email → username, kept
-- apart from `users` (each core's credentials) so that a register can run on
-- its own D1. A registration reserves its entry first (status 'reserved' until
-- `reserved_until`), creates the account on its core, then confirms it
-- ('active'); expired reservations are freed by the next registration that
-- meets them. Emails are unique in any case (lower-cased index).
CREATE TABLE directory (
  username TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL,
  core TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('reserved', 'active')),
  reserved_until REAL,
  invitation_token TEXT,
  created REAL NOT NULL
);
CREATE UNIQUE INDEX directory_email_unique ON directory (lower(email));
CREATE INDEX directory_core ON directory (core, created);
CREATE INDEX directory_created ON directory (created, username);

INSERT INTO directory (username, email, core, status, reserved_until, invitation_token, created)
  SELECT username, email, core, 'active', NULL, invitation_token, created FROM users;

-- A core's account whose directory entry is not confirmed yet (a crash between
-- the local creation and the confirmation leaves it so): unusable until then.
-- NULL = confirmed; otherwise the time the register's reservation expires.
ALTER TABLE users ADD COLUMN pending_until REAL;
