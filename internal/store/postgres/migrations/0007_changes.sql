-- Identifiers compare and sort by their bytes (COLLATE "C"), as on SQLite.
-- The change feed: each transaction that changes who may use what (users,
-- groups, memberships, accounts, OUs, SCPs, permission sets, assignments)
-- appends the entities it changed, and every node's effective-access index
-- follows the feed, reloading those entities.
CREATE TABLE changes (
	seq         BIGINT PRIMARY KEY,
	instance_id TEXT COLLATE "C" NOT NULL,
	kind        TEXT COLLATE "C" NOT NULL,
	entity_id   TEXT COLLATE "C" NOT NULL,
	created_at  BIGINT NOT NULL
);

-- The number of the last change. Appending updates this one row, whose lock
-- the transaction then holds until it ends: appenders queue on it, so that
-- changes are numbered in the order their transactions commit, without gaps,
-- and a follower never sees a later number before an earlier one.
CREATE TABLE changes_head (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL
);
INSERT INTO changes_head (id, seq) VALUES (1, 0);
