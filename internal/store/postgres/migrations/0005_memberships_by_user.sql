-- A user's groups are looked up by user: without this index the planner walks
-- the (instance_id, group_id, user_id) unique index of every membership.
CREATE INDEX memberships_user_group ON memberships (instance_id, user_id, group_id);
