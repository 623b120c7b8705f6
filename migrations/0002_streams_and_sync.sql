-- The data API: streams, event history, scope changes (sync of events
-- leaving or entering a stream scope), and the bound used by time-range queries.

CREATE TABLE streams (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT,
  parent_id TEXT,
  client_data TEXT,
  trashed INTEGER NOT NULL DEFAULT 0,
  created REAL,
  created_by TEXT,
  modified REAL NOT NULL,
  modified_by TEXT,
  serial INTEGER NOT NULL,
  deleted REAL,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX streams_parent ON streams (user_id, parent_id) WHERE deleted IS NULL;
-- Names are unique among siblings (trashed ones included), as in the reference.
CREATE UNIQUE INDEX streams_sibling_name ON streams (user_id, ifnull(parent_id, ''), name) WHERE deleted IS NULL;
CREATE INDEX streams_deleted ON streams (user_id, deleted) WHERE deleted IS NOT NULL;

-- Previous versions of events (events.getOne includeHistory).
CREATE TABLE event_history (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  serial INTEGER NOT NULL,
  modified REAL NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (user_id, event_id, serial)
);

-- An event stopped or started being filed under a stream (directly or through
-- a descendant) at `time`: lets a sync of that stream's scope see it leave or enter.
CREATE TABLE event_scope_changes (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  stream_id TEXT NOT NULL,
  time REAL NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (user_id, stream_id, time, event_id)
);

-- Running periods (duration null), read separately by time-range queries.
CREATE INDEX events_running ON events (user_id, time) WHERE duration IS NULL AND deleted IS NULL;
CREATE INDEX events_deleted ON events (user_id, deleted) WHERE deleted IS NOT NULL;

-- The longest duration of the account's events: bounds time-range scans from below.
ALTER TABLE users ADD COLUMN max_event_duration REAL NOT NULL DEFAULT 0;
CREATE INDEX event_scope_changes_event ON event_scope_changes (user_id, event_id, time);
