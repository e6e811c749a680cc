-- Organizations: the tree of a root, organizational units and accounts, the
-- asynchronous account creations, tags, and service control policies.

-- An email address belongs to one account of an organization.
CREATE UNIQUE INDEX accounts_email ON accounts (instance_id, lower(email));
CREATE INDEX accounts_parent ON accounts (instance_id, parent_id, id);
-- Accounts whose closure the background worker has yet to complete.
CREATE INDEX accounts_closing ON accounts (instance_id, id) WHERE status = 'PENDING_CLOSURE';

CREATE TABLE org_units (
	instance_id TEXT NOT NULL REFERENCES instances (id),
	id          TEXT NOT NULL,
	parent_id   TEXT NOT NULL,
	name        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (instance_id, id),
	UNIQUE (instance_id, parent_id, name)
);
CREATE INDEX org_units_parent ON org_units (instance_id, parent_id, id);

-- The policy types enabled on the root of an instance's organization.
CREATE TABLE org_policy_types (
	instance_id TEXT NOT NULL REFERENCES instances (id),
	type        TEXT NOT NULL,
	status      TEXT NOT NULL,
	PRIMARY KEY (instance_id, type)
);

-- Policies of an organization. AWS-managed policies (FullAWSAccess) are
-- shared by every instance: their instance_id is ''.
CREATE TABLE org_policies (
	instance_id TEXT NOT NULL,
	id          TEXT NOT NULL,
	type        TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	content     TEXT NOT NULL,
	aws_managed INTEGER NOT NULL,
	PRIMARY KEY (instance_id, id),
	UNIQUE (instance_id, type, name)
);
INSERT INTO org_policies (instance_id, id, type, name, description, content, aws_managed) VALUES
	('', 'p-FullAWSAccess', 'SERVICE_CONTROL_POLICY', 'FullAWSAccess', 'Allows access to every operation',
	 '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 1);

CREATE TABLE org_policy_attachments (
	instance_id TEXT NOT NULL REFERENCES instances (id),
	policy_id   TEXT NOT NULL,
	target_id   TEXT NOT NULL,
	target_type TEXT NOT NULL,
	PRIMARY KEY (instance_id, policy_id, target_id)
);
CREATE INDEX org_policy_attachments_target ON org_policy_attachments (instance_id, target_id, policy_id);

-- Tags of roots, organizational units, accounts and policies.
CREATE TABLE org_tags (
	instance_id TEXT NOT NULL REFERENCES instances (id),
	resource_id TEXT NOT NULL,
	key         TEXT NOT NULL,
	value       TEXT NOT NULL,
	PRIMARY KEY (instance_id, resource_id, key)
);

-- CreateAccount requests: written IN_PROGRESS with the request and completed
-- (SUCCEEDED or FAILED) by the background worker.
CREATE TABLE org_create_account_statuses (
	instance_id    TEXT NOT NULL REFERENCES instances (id),
	id             TEXT NOT NULL,
	account_name   TEXT NOT NULL,
	email          TEXT NOT NULL,
	role_name      TEXT NOT NULL,
	billing_access TEXT NOT NULL,
	tags           TEXT NOT NULL,
	state          TEXT NOT NULL,
	requested_at   INTEGER NOT NULL,
	completed_at   INTEGER NOT NULL,
	account_id     TEXT NOT NULL,
	failure_reason TEXT NOT NULL,
	PRIMARY KEY (instance_id, id)
);
CREATE INDEX org_create_account_statuses_pending ON org_create_account_statuses (requested_at) WHERE state = 'IN_PROGRESS';
