CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE instances (
	id                TEXT PRIMARY KEY,
	identity_store_id TEXT NOT NULL UNIQUE,
	name              TEXT NOT NULL,
	owner_account_id  TEXT NOT NULL,
	status            TEXT NOT NULL,
	created_at        INTEGER NOT NULL
);

CREATE TABLE organizations (
	instance_id           TEXT PRIMARY KEY REFERENCES instances (id),
	id                    TEXT NOT NULL UNIQUE,
	root_id               TEXT NOT NULL,
	management_account_id TEXT NOT NULL,
	management_email      TEXT NOT NULL,
	feature_set           TEXT NOT NULL,
	created_at            INTEGER NOT NULL
);

CREATE TABLE accounts (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	name        TEXT NOT NULL,
	email       TEXT NOT NULL,
	status      TEXT NOT NULL,
	parent_id   TEXT NOT NULL,
	joined_at   INTEGER NOT NULL,
	join_method TEXT NOT NULL
);
CREATE INDEX accounts_instance ON accounts (instance_id, id);

CREATE TABLE principals (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	account_id  TEXT NOT NULL,
	name        TEXT NOT NULL,
	arn         TEXT NOT NULL UNIQUE,
	policies    TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);

CREATE TABLE access_keys (
	id            TEXT PRIMARY KEY,
	principal_id  TEXT NOT NULL REFERENCES principals (id),
	sealed_secret BLOB NOT NULL,
	status        TEXT NOT NULL,
	created_at    INTEGER NOT NULL
);

CREATE TABLE directory_users (
	instance_id     TEXT NOT NULL REFERENCES instances (id),
	id              TEXT PRIMARY KEY,
	user_name_lower TEXT NOT NULL,
	email_lower     TEXT NOT NULL,
	status          TEXT NOT NULL,
	attrs           TEXT NOT NULL,
	revision        INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	created_by      TEXT NOT NULL,
	updated_at      INTEGER NOT NULL,
	updated_by      TEXT NOT NULL,
	UNIQUE (instance_id, user_name_lower),
	UNIQUE (instance_id, id) -- listings; the target of memberships
);
CREATE INDEX directory_users_email ON directory_users (instance_id, email_lower);

CREATE TABLE directory_groups (
	instance_id        TEXT NOT NULL REFERENCES instances (id),
	id                 TEXT PRIMARY KEY,
	display_name_lower TEXT NOT NULL,
	attrs              TEXT NOT NULL,
	revision           INTEGER NOT NULL,
	created_at         INTEGER NOT NULL,
	created_by         TEXT NOT NULL,
	updated_at         INTEGER NOT NULL,
	updated_by         TEXT NOT NULL,
	UNIQUE (instance_id, display_name_lower),
	UNIQUE (instance_id, id) -- listings; the target of memberships
);

CREATE TABLE external_ids (
	instance_id TEXT NOT NULL REFERENCES instances (id),
	kind        TEXT NOT NULL,
	issuer      TEXT NOT NULL,
	ext_id      TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	PRIMARY KEY (instance_id, kind, issuer, ext_id)
);
CREATE INDEX external_ids_resource ON external_ids (instance_id, kind, resource_id);

CREATE TABLE memberships (
	instance_id TEXT NOT NULL REFERENCES instances (id),
	id          TEXT PRIMARY KEY,
	group_id    TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	created_by  TEXT NOT NULL,
	updated_at  INTEGER NOT NULL,
	updated_by  TEXT NOT NULL,
	-- A membership joins a group and a user of its own instance.
	FOREIGN KEY (instance_id, group_id) REFERENCES directory_groups (instance_id, id) ON DELETE CASCADE,
	FOREIGN KEY (instance_id, user_id) REFERENCES directory_users (instance_id, id) ON DELETE CASCADE,
	UNIQUE (instance_id, group_id, user_id)
);
CREATE INDEX memberships_group ON memberships (instance_id, group_id, id);
CREATE INDEX memberships_user ON memberships (instance_id, user_id, id);

CREATE TABLE audit_events (
	seq         INTEGER PRIMARY KEY,
	instance_id TEXT NOT NULL,
	event_time  INTEGER NOT NULL,
	event_name  TEXT NOT NULL,
	data        TEXT NOT NULL,
	prev_hash   BLOB NOT NULL,
	hash        BLOB NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (event_time);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash BLOB NOT NULL,
	mac  BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, 0, X'', X'');
