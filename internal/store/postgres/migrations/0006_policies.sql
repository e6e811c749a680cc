-- Identifiers compare and sort by their bytes (COLLATE "C"), as on SQLite.
-- The catalog of AWS managed policies. It is global, not per instance: AWS
-- managed policies are the same everywhere. source is 'builtin' for the
-- documents Atrium ships and 'imported' for those an operator imported.
CREATE TABLE aws_managed_policies (
	arn                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	name               TEXT COLLATE "C" NOT NULL,
	path               TEXT COLLATE "C" NOT NULL,
	description        TEXT NOT NULL,
	default_version_id TEXT COLLATE "C" NOT NULL,
	document           TEXT NOT NULL,
	source             TEXT COLLATE "C" NOT NULL,
	created_at         BIGINT NOT NULL,
	updated_at         BIGINT NOT NULL
);

-- Customer managed policies are IAM policies of an account, made with IAM's
-- CreatePolicy: an id, a description, a default version, tags (a JSON list
-- of {"Key","Value"}) and dates.
ALTER TABLE customer_managed_policies ADD COLUMN policy_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE customer_managed_policies ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_managed_policies ADD COLUMN default_version_id TEXT COLLATE "C" NOT NULL DEFAULT 'v1';
ALTER TABLE customer_managed_policies ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE customer_managed_policies ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customer_managed_policies ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

-- The role that provisioning a permission set to an account makes in it,
-- AWSReservedSSO_<permission set name>_<16 hex>: one per permission set and
-- account, gone when the permission set no longer reaches the account.
CREATE TABLE provisioned_roles (
	instance_id       TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	account_id        TEXT COLLATE "C" NOT NULL,
	permission_set_id TEXT COLLATE "C" NOT NULL,
	name              TEXT COLLATE "C" NOT NULL,
	role_id           TEXT COLLATE "C" NOT NULL,
	path              TEXT COLLATE "C" NOT NULL,
	created_at        BIGINT NOT NULL,
	PRIMARY KEY (instance_id, account_id, permission_set_id),
	UNIQUE (instance_id, account_id, name)
);
