-- Each account Durable Object's write clock (src/account-do/write-clock.ts),
-- keyed by the object's id (a hash of its name, not the name). A group of
-- grouped writes saves the clock in the same D1 transaction as its writes,
-- instead of in the object's own storage before them; a new instance of the
-- object continues after the later of the two copies.
CREATE TABLE account_clocks (
  object TEXT PRIMARY KEY NOT NULL,
  serial INTEGER NOT NULL,
  last_ms INTEGER NOT NULL
);
