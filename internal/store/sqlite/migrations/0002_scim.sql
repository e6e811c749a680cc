CREATE TABLE scim_tokens (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	token_hash  BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	revoked_at  INTEGER NOT NULL
);
CREATE INDEX scim_tokens_instance ON scim_tokens (instance_id, created_at);
