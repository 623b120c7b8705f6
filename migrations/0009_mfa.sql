-- Multi-factor authentication (src/mfa/): one row per account whose MFA is
-- active (a pending activation lives only in the account's Durable Object, so
-- it never switches MFA on). `secret`: the TOTP secret, AES-GCM encrypted under
-- a key derived from SECRETS_KEY, bound to the user id. `recovery_codes`: JSON
-- array of SHA-256 hex digests of the unused codes. `last_step`: the newest
-- accepted TOTP time step (a code is accepted once: only later steps pass).
CREATE TABLE mfa (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  recovery_codes TEXT NOT NULL,
  last_step INTEGER NOT NULL,
  activated REAL NOT NULL
);
