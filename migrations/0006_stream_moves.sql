-- Where a stream was before each move: with it, a sync since T judges an
-- event in the stream tree as it was at T (the current tree with the later
-- moves undone), so that it reports the events the caller could read then
-- and cannot now — and never one it could not read (see events/scope-exits.ts).
CREATE TABLE stream_moves (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  stream_id TEXT NOT NULL,
  time REAL NOT NULL,
  former_parent_id TEXT,
  PRIMARY KEY (user_id, time, stream_id)
);

-- A sync reads the scope changes since its anchor, on any stream.
CREATE INDEX event_scope_changes_time ON event_scope_changes (user_id, time);
