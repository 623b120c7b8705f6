-- Webhooks: an app or shared access asks to be told (POST to `url`) when the
-- account's data it may read changes. Deleted with the account (cascade) and
-- with their access (accesses.delete deletes them: accesses are soft-deleted).
-- `runs`: JSON ring of the last calls `[{status, timestamp}]`, newest first.
CREATE TABLE webhooks (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  access_id TEXT NOT NULL,
  url TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'active',
  run_count INTEGER NOT NULL DEFAULT 0,
  fail_count INTEGER NOT NULL DEFAULT 0,
  current_retries INTEGER NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL,
  min_interval_ms INTEGER NOT NULL,
  runs TEXT NOT NULL DEFAULT '[]',
  created REAL NOT NULL,
  created_by TEXT NOT NULL,
  modified REAL NOT NULL,
  modified_by TEXT NOT NULL,
  PRIMARY KEY (user_id, id)
);
-- One webhook per url and access.
CREATE UNIQUE INDEX webhooks_access_url ON webhooks (user_id, access_id, url);
