-- Followed slices: another account's data the person keeps a token for (the
-- FAQ's doctor keeping the tokens to patients' accounts). Personal tokens
-- only; deleted with the account (cascade). `access_token` is the other
-- account's token: never logged, never echoed in errors, not in the trail.
CREATE TABLE followed_slices (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  access_token TEXT NOT NULL,
  created REAL NOT NULL,
  modified REAL NOT NULL,
  PRIMARY KEY (user_id, id)
);
-- As the reference: names unique per account, and one slice per url and token.
CREATE UNIQUE INDEX followed_slices_name ON followed_slices (user_id, name);
CREATE UNIQUE INDEX followed_slices_url_token ON followed_slices (user_id, url, access_token);
