-- Identifiers compare and sort by their bytes (COLLATE "C"), as on SQLite,
-- whatever the collation of the database: listings page by id.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE instances (
	id                TEXT COLLATE "C" PRIMARY KEY,
	identity_store_id TEXT COLLATE "C" NOT NULL UNIQUE,
	name              TEXT NOT NULL,
	owner_account_id  TEXT COLLATE "C" NOT NULL,
	status            TEXT NOT NULL,
	created_at        BIGINT NOT NULL
);

CREATE TABLE organizations (
	instance_id           TEXT COLLATE "C" PRIMARY KEY REFERENCES instances (id),
	id                    TEXT COLLATE "C" NOT NULL UNIQUE,
	root_id               TEXT COLLATE "C" NOT NULL,
	management_account_id TEXT COLLATE "C" NOT NULL,
	management_email      TEXT NOT NULL,
	feature_set           TEXT NOT NULL,
	created_at            BIGINT NOT NULL
);

CREATE TABLE accounts (
	id          TEXT COLLATE "C" PRIMARY KEY,
	instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	name        TEXT NOT NULL,
	email       TEXT NOT NULL,
	status      TEXT NOT NULL,
	parent_id   TEXT COLLATE "C" NOT NULL,
	joined_at   BIGINT NOT NULL,
	join_method TEXT NOT NULL
);
CREATE INDEX accounts_instance ON accounts (instance_id, id);

CREATE TABLE principals (
	id          TEXT COLLATE "C" PRIMARY KEY,
	instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	account_id  TEXT COLLATE "C" NOT NULL,
	name        TEXT NOT NULL,
	arn         TEXT NOT NULL UNIQUE,
	policies    TEXT NOT NULL,
	created_at  BIGINT NOT NULL
);

CREATE TABLE access_keys (
	id            TEXT COLLATE "C" PRIMARY KEY,
	principal_id  TEXT COLLATE "C" NOT NULL REFERENCES principals (id),
	sealed_secret BYTEA NOT NULL,
	status        TEXT NOT NULL,
	created_at    BIGINT NOT NULL
);

CREATE TABLE directory_users (
	instance_id     TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	id              TEXT COLLATE "C" PRIMARY KEY,
	user_name_lower TEXT NOT NULL,
	email_lower     TEXT NOT NULL,
	status          TEXT NOT NULL,
	attrs           TEXT NOT NULL,
	revision        BIGINT NOT NULL,
	created_at      BIGINT NOT NULL,
	created_by      TEXT NOT NULL,
	updated_at      BIGINT NOT NULL,
	updated_by      TEXT NOT NULL,
	UNIQUE (instance_id, user_name_lower),
	UNIQUE (instance_id, id) -- listings; the target of memberships
);
CREATE INDEX directory_users_email ON directory_users (instance_id, email_lower);

CREATE TABLE directory_groups (
	instance_id        TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	id                 TEXT COLLATE "C" PRIMARY KEY,
	display_name_lower TEXT NOT NULL,
	attrs              TEXT NOT NULL,
	revision           BIGINT NOT NULL,
	created_at         BIGINT NOT NULL,
	created_by         TEXT NOT NULL,
	updated_at         BIGINT NOT NULL,
	updated_by         TEXT NOT NULL,
	UNIQUE (instance_id, display_name_lower),
	UNIQUE (instance_id, id) -- listings; the target of memberships
);

CREATE TABLE external_ids (
	instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	kind        TEXT NOT NULL,
	issuer      TEXT NOT NULL,
	ext_id      TEXT COLLATE "C" NOT NULL,
	resource_id TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (instance_id, kind, issuer, ext_id)
);
CREATE INDEX external_ids_resource ON external_ids (instance_id, kind, resource_id);

CREATE TABLE memberships (
	instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	id          TEXT COLLATE "C" PRIMARY KEY,
	group_id    TEXT COLLATE "C" NOT NULL,
	user_id     TEXT COLLATE "C" NOT NULL,
	created_at  BIGINT NOT NULL,
	created_by  TEXT NOT NULL,
	updated_at  BIGINT NOT NULL,
	updated_by  TEXT NOT NULL,
	-- A membership joins a group and a user of its own instance.
	FOREIGN KEY (instance_id, group_id) REFERENCES directory_groups (instance_id, id) ON DELETE CASCADE,
	FOREIGN KEY (instance_id, user_id) REFERENCES directory_users (instance_id, id) ON DELETE CASCADE,
	UNIQUE (instance_id, group_id, user_id)
);
CREATE INDEX memberships_group ON memberships (instance_id, group_id, id);
CREATE INDEX memberships_user ON memberships (instance_id, user_id, id);

CREATE TABLE audit_events (
	seq         BIGINT PRIMARY KEY,
	instance_id TEXT COLLATE "C" NOT NULL,
	event_time  BIGINT NOT NULL,
	event_name  TEXT NOT NULL,
	data        TEXT NOT NULL,
	prev_hash   BYTEA NOT NULL,
	hash        BYTEA NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (event_time);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  BIGINT NOT NULL,
	hash BYTEA NOT NULL,
	mac  BYTEA NOT NULL
);
INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, 0, '\x'::bytea, '\x'::bytea);
