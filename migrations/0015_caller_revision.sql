-- The revision of what a call's caller state is made of (the account row, its
-- accesses, its streams): a Worker may keep that state between requests and
-- checks it against this number in the same D1 batch as the call's first
-- query (src/accesses/caller-states.ts). Triggers keep it exact for every
-- writer, an operator's SQL included. Usage counters (`last_used`, `calls`)
-- are not part of the state and leave it alone.
ALTER TABLE users ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER users_revision AFTER UPDATE OF
  username, email, password_hash, password_set, language, app_id, referer, invitation_token, core, created,
  max_event_duration, files_secret, pending_until
ON users BEGIN
  UPDATE users SET revision = revision + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER accesses_revision_insert AFTER INSERT ON accesses BEGIN
  UPDATE users SET revision = revision + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER accesses_revision_delete AFTER DELETE ON accesses BEGIN
  UPDATE users SET revision = revision + 1 WHERE id = OLD.user_id;
END;
CREATE TRIGGER accesses_revision_update AFTER UPDATE OF
  user_id, id, token, type, name, device_name, permissions, client_data, expires, session_expires,
  created, created_by, modified, modified_by, deleted
ON accesses BEGIN
  UPDATE users SET revision = revision + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;

CREATE TRIGGER streams_revision_insert AFTER INSERT ON streams BEGIN
  UPDATE users SET revision = revision + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER streams_revision_delete AFTER DELETE ON streams BEGIN
  UPDATE users SET revision = revision + 1 WHERE id = OLD.user_id;
END;
CREATE TRIGGER streams_revision_update AFTER UPDATE ON streams BEGIN
  UPDATE users SET revision = revision + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;
