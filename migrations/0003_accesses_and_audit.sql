-- Accesses: delegation lookups and name uniqueness; the audit trail of every
-- authenticated call; where each access was first used from.

CREATE INDEX accesses_created_by ON accesses (user_id, created_by);
-- An access is unique by type, name and device among live ones (deleted ones free their name).
CREATE UNIQUE INDEX accesses_name_unique ON accesses (user_id, type, name, ifnull(device_name, '')) WHERE deleted IS NULL;

CREATE TABLE audit_log (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  time REAL NOT NULL,
  access_id TEXT NOT NULL,
  method TEXT NOT NULL,
  status INTEGER NOT NULL,
  error_id TEXT,
  source TEXT NOT NULL,
  country TEXT,
  asn INTEGER,
  network TEXT,
  -- 1 when this call is the access's first from its country or its network.
  new_origin INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX audit_log_time ON audit_log (user_id, time);
CREATE INDEX audit_log_access ON audit_log (user_id, access_id, time);
CREATE INDEX audit_log_method ON audit_log (user_id, method, time);

CREATE TABLE access_origins (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  access_id TEXT NOT NULL,
  -- "country:CH" or "asn:13030"
  origin TEXT NOT NULL,
  first_seen REAL NOT NULL,
  PRIMARY KEY (user_id, access_id, origin)
);
