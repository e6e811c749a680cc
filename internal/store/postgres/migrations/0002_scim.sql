CREATE TABLE scim_tokens (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	token_hash  BYTEA NOT NULL,
	created_at  BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL,
	revoked_at  BIGINT NOT NULL
);
CREATE INDEX scim_tokens_instance ON scim_tokens (instance_id, created_at);
