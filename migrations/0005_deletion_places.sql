-- Where a deleted stream was, kept with its deletion record so that a sync
-- tells of the deletion only the accesses that could see the stream there:
-- the ids of its ancestors when it was deleted, nearest first, as a JSON
-- array ('[]' for a root stream). NULL on live streams — and on deletion
-- records older than this migration, whose place is unknown: only personal
-- accesses are told of those.
-- (Event deletion records keep their `stream_ids` from now on; older ones hold '[]'.)
ALTER TABLE streams ADD COLUMN former_ancestors TEXT;
