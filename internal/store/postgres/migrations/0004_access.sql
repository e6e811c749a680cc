-- Identifiers compare and sort by their bytes (COLLATE "C"), as on SQLite.
-- sso-admin: permission sets and their policies, account assignments, the
-- provisioning of permission sets to accounts, the asynchronous operations
-- that change them, and the customer managed policies of accounts.

CREATE TABLE permission_sets (
	instance_id          TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	id                   TEXT COLLATE "C" NOT NULL,
	name                 TEXT COLLATE "C" NOT NULL,
	name_lower           TEXT COLLATE "C" NOT NULL,
	description          TEXT NOT NULL,
	session_duration     TEXT NOT NULL,
	relay_state          TEXT NOT NULL,
	inline_policy        TEXT NOT NULL,
	boundary_managed_arn TEXT NOT NULL,
	boundary_policy_name TEXT NOT NULL,
	boundary_policy_path TEXT NOT NULL,
	version              BIGINT NOT NULL,
	created_at           BIGINT NOT NULL,
	updated_at           BIGINT NOT NULL,
	PRIMARY KEY (instance_id, id),
	UNIQUE (instance_id, name_lower)
);

CREATE TABLE permission_set_managed_policies (
	instance_id       TEXT COLLATE "C" NOT NULL,
	permission_set_id TEXT COLLATE "C" NOT NULL,
	arn               TEXT COLLATE "C" NOT NULL,
	name              TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (instance_id, permission_set_id, arn),
	FOREIGN KEY (instance_id, permission_set_id) REFERENCES permission_sets (instance_id, id) ON DELETE CASCADE
);

CREATE TABLE permission_set_customer_policies (
	instance_id       TEXT COLLATE "C" NOT NULL,
	permission_set_id TEXT COLLATE "C" NOT NULL,
	path              TEXT COLLATE "C" NOT NULL,
	name              TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (instance_id, permission_set_id, path, name),
	FOREIGN KEY (instance_id, permission_set_id) REFERENCES permission_sets (instance_id, id) ON DELETE CASCADE
);

-- Tags of permission sets and instances (resource_id is the ps- or ssoins- id).
CREATE TABLE access_tags (
	instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	resource_id TEXT COLLATE "C" NOT NULL,
	key         TEXT COLLATE "C" NOT NULL,
	value       TEXT NOT NULL,
	PRIMARY KEY (instance_id, resource_id, key)
);

-- An assignment's target is an account, or (an Atrium extension) an
-- organizational unit whose accounts, at any depth, it applies to.
CREATE TABLE account_assignments (
	instance_id       TEXT COLLATE "C" NOT NULL,
	target_id         TEXT COLLATE "C" NOT NULL,
	target_type       TEXT COLLATE "C" NOT NULL,
	permission_set_id TEXT COLLATE "C" NOT NULL,
	principal_type    TEXT COLLATE "C" NOT NULL,
	principal_id      TEXT COLLATE "C" NOT NULL,
	created_at        BIGINT NOT NULL,
	PRIMARY KEY (instance_id, target_id, permission_set_id, principal_type, principal_id),
	FOREIGN KEY (instance_id, permission_set_id) REFERENCES permission_sets (instance_id, id)
);
CREATE INDEX account_assignments_principal ON account_assignments (instance_id, principal_id, target_id, permission_set_id);
CREATE INDEX account_assignments_permission_set ON account_assignments (instance_id, permission_set_id, target_id);

-- The version of a permission set last provisioned to a target.
CREATE TABLE permission_set_provisions (
	instance_id       TEXT COLLATE "C" NOT NULL,
	permission_set_id TEXT COLLATE "C" NOT NULL,
	target_id         TEXT COLLATE "C" NOT NULL,
	target_type       TEXT COLLATE "C" NOT NULL,
	version           BIGINT NOT NULL,
	updated_at        BIGINT NOT NULL,
	PRIMARY KEY (instance_id, permission_set_id, target_id),
	FOREIGN KEY (instance_id, permission_set_id) REFERENCES permission_sets (instance_id, id)
);
CREATE INDEX permission_set_provisions_target ON permission_set_provisions (instance_id, target_id);

-- Assignment creations and deletions and permission set provisionings:
-- written IN_PROGRESS with the request, completed by the background worker.
CREATE TABLE access_operations (
	instance_id       TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	id                TEXT COLLATE "C" NOT NULL,
	kind              TEXT COLLATE "C" NOT NULL,
	status            TEXT COLLATE "C" NOT NULL,
	failure_reason    TEXT NOT NULL,
	target_id         TEXT COLLATE "C" NOT NULL,
	target_type       TEXT COLLATE "C" NOT NULL,
	permission_set_id TEXT COLLATE "C" NOT NULL,
	principal_type    TEXT COLLATE "C" NOT NULL,
	principal_id      TEXT COLLATE "C" NOT NULL,
	created_at        BIGINT NOT NULL,
	completed_at      BIGINT NOT NULL,
	PRIMARY KEY (instance_id, id)
);
CREATE INDEX access_operations_list ON access_operations (instance_id, kind, created_at, id);
CREATE INDEX access_operations_pending ON access_operations (created_at, id) WHERE status = 'IN_PROGRESS';
CREATE INDEX access_operations_pending_set ON access_operations (instance_id, permission_set_id) WHERE status = 'IN_PROGRESS';

-- Customer managed policies of accounts, which references of permission
-- sets resolve to. Policy names are unique in an account, whatever the path.
CREATE TABLE customer_managed_policies (
	instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id),
	account_id  TEXT COLLATE "C" NOT NULL,
	path        TEXT COLLATE "C" NOT NULL,
	name        TEXT COLLATE "C" NOT NULL,
	name_lower  TEXT COLLATE "C" NOT NULL,
	document    TEXT NOT NULL,
	PRIMARY KEY (instance_id, account_id, name_lower)
);
