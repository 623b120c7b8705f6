-- Foundation: the register's directory (users), accesses, profiles,
-- invitations, and events (which also hold the account's system-stream values).
-- Times are float seconds since the epoch.

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  password_set REAL NOT NULL,
  language TEXT NOT NULL,
  app_id TEXT NOT NULL,
  referer TEXT,
  invitation_token TEXT,
  core TEXT NOT NULL,
  created REAL NOT NULL
);
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));

CREATE TABLE accesses (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  token TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('personal', 'app', 'shared')),
  name TEXT NOT NULL,
  device_name TEXT,
  permissions TEXT NOT NULL DEFAULT '[]',
  client_data TEXT,
  expires REAL,
  session_expires REAL,
  last_used REAL,
  calls TEXT NOT NULL DEFAULT '{}',
  created REAL NOT NULL,
  created_by TEXT NOT NULL,
  modified REAL NOT NULL,
  modified_by TEXT NOT NULL,
  deleted REAL,
  PRIMARY KEY (user_id, id)
);
CREATE UNIQUE INDEX accesses_token_unique ON accesses (user_id, token);

CREATE TABLE profiles (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  profile_id TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (user_id, profile_id)
);

CREATE TABLE invitations (
  token TEXT NOT NULL PRIMARY KEY,
  description TEXT,
  created REAL NOT NULL,
  consumed_by TEXT,
  consumed_at REAL
);

CREATE TABLE events (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  stream_ids TEXT NOT NULL DEFAULT '[]',
  type TEXT NOT NULL DEFAULT '',
  time REAL NOT NULL DEFAULT 0,
  duration REAL,
  end_time REAL,
  content TEXT,
  description TEXT,
  client_data TEXT,
  attachments TEXT,
  trashed INTEGER NOT NULL DEFAULT 0,
  integrity TEXT,
  created REAL NOT NULL,
  created_by TEXT NOT NULL,
  modified REAL NOT NULL,
  modified_by TEXT NOT NULL,
  serial INTEGER NOT NULL,
  deleted REAL,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX events_time ON events (user_id, time, id) WHERE deleted IS NULL;
CREATE INDEX events_modified ON events (user_id, modified);

CREATE TABLE event_streams (
  user_id INTEGER NOT NULL,
  stream_id TEXT NOT NULL,
  time REAL NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (user_id, stream_id, time, event_id),
  FOREIGN KEY (user_id, event_id) REFERENCES events (user_id, id) ON DELETE CASCADE
);
CREATE INDEX event_streams_event ON event_streams (user_id, event_id);
