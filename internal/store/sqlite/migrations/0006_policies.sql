-- The catalog of AWS managed policies. It is global, not per instance: AWS
-- managed policies are the same everywhere. source is 'builtin' for the
-- documents Atrium ships and 'imported' for those an operator imported.
CREATE TABLE aws_managed_policies (
	arn                TEXT NOT NULL PRIMARY KEY,
	name               TEXT NOT NULL,
	path               TEXT NOT NULL,
	description        TEXT NOT NULL,
	default_version_id TEXT NOT NULL,
	document           TEXT NOT NULL,
	source             TEXT NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL
);
