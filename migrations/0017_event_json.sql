-- Each live event's API text, made by SQLite when the event is written, so
-- that events.get sends pages of it as they are (src/events/page-row.ts):
-- making the text at every read was about two fifths of what the bench's
-- time-range read cost beyond one bare D1 round trip (issue 13). Kept for events whose text is shorter than 3000 bytes — a page of
-- 500 of them stays under what D1 lets one value hold (2 MB) and a row stays
-- far under its limit; longer events (NULL here) are read as rows.
-- The text is what toApiEvent (src/events/events.store.ts) gives, as JSON:
-- null fields, `duration: 0` and `trashed: false` left out; numbers as
-- SQLite's quote() writes them, which reads back as the same number (15
-- significant digits when they suffice, else 21: `3.00000000000000044408e-01`).
-- The test of page rows holds the two to the same events.
ALTER TABLE events ADD COLUMN json TEXT;

CREATE TRIGGER events_json AFTER UPDATE OF
  id, stream_ids, type, time, duration, content, description, client_data, attachments, trashed, integrity,
  created, created_by, modified, modified_by, deleted
ON events BEGIN
  UPDATE events SET json = (
    SELECT iif(deleted IS NULL AND octet_length(text) < 3000, text, NULL) FROM (SELECT
      '{"id":' || json_quote(NEW.id) ||
      ',"time":' || quote(NEW.time) ||
      CASE WHEN NEW.duration IS NULL THEN ',"duration":null' WHEN NEW.duration = 0 THEN '' ELSE ',"duration":' || quote(NEW.duration) END ||
      ',"created":' || quote(NEW.created) ||
      ',"modified":' || quote(NEW.modified) ||
      ',"streamIds":' || NEW.stream_ids ||
      ',"type":' || json_quote(NEW.type) ||
      ',"createdBy":' || json_quote(NEW.created_by) ||
      ',"modifiedBy":' || json_quote(NEW.modified_by) ||
      CASE WHEN NEW.content IS NULL THEN '' ELSE ',"content":' || NEW.content END ||
      CASE WHEN NEW.description IS NULL THEN '' ELSE ',"description":' || json_quote(NEW.description) END ||
      CASE WHEN NEW.client_data IS NULL THEN '' ELSE ',"clientData":' || NEW.client_data END ||
      CASE WHEN NEW.attachments IS NULL THEN '' ELSE ',"attachments":' || NEW.attachments END ||
      CASE WHEN NEW.trashed THEN ',"trashed":true' ELSE '' END ||
      CASE WHEN NEW.integrity IS NULL THEN '' ELSE ',"integrity":' || json_quote(NEW.integrity) END ||
      '}' AS text, NEW.deleted AS deleted)
  ) WHERE user_id = NEW.user_id AND id = NEW.id;
END;

-- A new event gets its text from the trigger above (one expression of it, not two).
CREATE TRIGGER events_json_insert AFTER INSERT ON events BEGIN
  UPDATE events SET type = type WHERE user_id = NEW.user_id AND id = NEW.id;
END;

UPDATE events SET type = type WHERE deleted IS NULL;
