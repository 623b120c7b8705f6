-- Content queries (events.get `content`): numeric root content — the content of
-- most Pryv types (mass/kg: 72.5, count/steps: 8000, …) — of each type, for
-- equality, `in` and ranges on `$`. The expression is the one
-- src/events/content-query.ts writes (ROOT_NUMBER): NULL for other content,
-- so objects and text take no room in it. Rule and limits: docs/content-queries.md.
CREATE INDEX events_root_number ON events (
  user_id,
  type,
  iif(json_type(content) IN ('integer', 'real'), json_extract(content, '$'), NULL)
) WHERE deleted IS NULL;
