-- audit_log: append-only record of who did what to which resource, with before/after values.
--
-- Range-partitioned by created_at, one partition per calendar month (UTC), named
-- audit_log_YYYY_MM, plus audit_log_default for rows outside every monthly partition.
-- This migration creates only the partitioned parent and audit_log_default; the monthly
-- partitions are created by `aeturnis-db partitions`, which every `up` runs at its end
-- (current month + 3 ahead by default), and old months are dropped with `--retain`.
-- Indexes declared here on the parent are created on every partition automatically.
-- The primary key must contain the partition key, hence (id, created_at).

-- UP
CREATE TABLE audit_log (
  id            uuid        NOT NULL DEFAULT gen_random_uuid(),
  actor_id      uuid,
  event_type    text        NOT NULL,
  resource_type text,
  resource_id   text,
  changes       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  ip_address    inet,
  user_agent    text,
  created_at    timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT audit_log_pkey PRIMARY KEY (id, created_at),
  -- Audit history outlives the account: deleting a user keeps its entries, actor unknown.
  CONSTRAINT audit_log_actor_id_fkey
    FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT audit_log_event_type_check
    CHECK (event_type <> ''),
  -- A resource id means nothing without its type.
  CONSTRAINT audit_log_resource_check
    CHECK (resource_id IS NULL OR resource_type IS NOT NULL),
  CONSTRAINT audit_log_changes_check
    CHECK (jsonb_typeof(changes) = 'object')
) PARTITION BY RANGE (created_at);

CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;

-- "What did this user do" (newest first); also serves the foreign key (ON DELETE SET NULL
-- must find the deleted user's rows in every partition).
CREATE INDEX audit_log_actor_id_created_at_idx ON audit_log (actor_id, created_at DESC);
-- "All logins / role changes / ... in a period", newest first.
CREATE INDEX audit_log_event_type_created_at_idx ON audit_log (event_type, created_at DESC);
-- "History of this resource" (e.g. resource_type = 'user', resource_id = '<uuid>').
CREATE INDEX audit_log_resource_created_at_idx ON audit_log (resource_type, resource_id, created_at DESC);
-- Time-range scans inside a month (partition pruning narrows to the month first).
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);

COMMENT ON TABLE audit_log IS 'Audit trail, monthly range partitions audit_log_YYYY_MM + audit_log_default (see docs/schema.md)';
COMMENT ON COLUMN audit_log.actor_id IS 'User who acted; NULL for system events or when the user was deleted';
COMMENT ON COLUMN audit_log.changes IS 'JSON object, by convention {"before": {...}, "after": {...}}';

-- DOWN
-- Dropping the parent drops every partition with it (audit_log_default and the monthly ones).
DROP TABLE audit_log;
