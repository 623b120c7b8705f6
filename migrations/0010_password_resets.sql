-- Password reset requests (account.requestPasswordReset / account.resetPassword):
-- at most one live request per account (a new one replaces it), deleted when
-- used and with the account. Only the SHA-256 of the mailed token is kept.
CREATE TABLE password_resets (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL,
  expires REAL NOT NULL,
  created REAL NOT NULL
);
