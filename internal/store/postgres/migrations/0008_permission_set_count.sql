-- The number of permission sets of each instance, kept by the writes that
-- create and delete them: CreatePermissionSet checks the quota against it
-- instead of counting the instance's permission sets each time.
ALTER TABLE instances ADD COLUMN permission_sets BIGINT NOT NULL DEFAULT 0;
UPDATE instances SET permission_sets = (SELECT count(*) FROM permission_sets p WHERE p.instance_id = instances.id);
