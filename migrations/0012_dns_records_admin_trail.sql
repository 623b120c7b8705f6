-- The register's DNS records (POST /reg/records, DELETE /reg/records/{subdomain}):
-- one row per subdomain, its records as validated JSON {a?, aaaa?, cname?, txt?}.
CREATE TABLE dns_records (
  subdomain TEXT NOT NULL PRIMARY KEY,
  records TEXT NOT NULL,
  created REAL NOT NULL,
  modified REAL NOT NULL
);

-- The admin trail: every call of an admin method, and every call made with the
-- admin key, refused ones included. The key itself is never stored: only the
-- first 8 hex digits of its SHA-256. Rows older than the retention are pruned.
CREATE TABLE admin_trail (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time REAL NOT NULL,
  key_fingerprint TEXT,
  admitted INTEGER NOT NULL,
  method TEXT NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER NOT NULL,
  target TEXT,
  ip TEXT,
  country TEXT,
  asn INTEGER
);
CREATE INDEX admin_trail_time ON admin_trail (time);
