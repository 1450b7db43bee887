-- The audit trail that writes itself: every INSERT, UPDATE and DELETE of a row of users,
-- user_security and user_sessions is recorded in audit_log by an AFTER ... FOR EACH ROW trigger
-- (see docs/audit.md).
--
-- * audit_record_change(): the trigger function. Its arguments (set by audit_enable) are the key
--   column, the columns to redact and the columns whose change alone is not an event, so the
--   trigger definition itself says what is audited and how; there is no settings table.
-- * audit_enable(table, key column, redacted columns, ignored columns) / audit_disable(table):
--   turning the trail on or off for a table is one call; the three tables below use it.
-- * Actor, client address and user agent come from the transaction-local settings
--   aeturnis.actor_id, aeturnis.ip_address and aeturnis.user_agent (SET LOCAL). A value that
--   cannot be stored (not a uuid, not an inet, no such user) never fails the application's write:
--   its column is NULL and the raw text is kept in changes.rejected_settings.
-- * The functions' search_path is pinned to pg_catalog, the schema audit_log lives in (found as
--   0004 found it, through the migration's search_path) and pg_temp last, so neither a caller's
--   search_path nor a temporary table named audit_log can redirect the trail.
-- * audit_log is registered for partition upkeep (every `up` and `partitions` keep its monthly
--   partitions: the current month and 3 ahead); rolling this migration back unregisters it.

-- aeturnis:partitions audit_log --interval month --ahead 3

-- UP
CREATE FUNCTION audit_record_change() RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
AS $$
DECLARE
  key_column constant text := TG_ARGV[0];
  redacted constant text[] := coalesce(TG_ARGV[1], '{}')::text[];
  ignored constant text[] := coalesce(TG_ARGV[2], '{}')::text[];
  old_row jsonb;
  new_row jsonb;
  before_values jsonb;
  after_values jsonb;
  secret text;
  recorded jsonb := '{}';
  rejected jsonb := '{}';
  raw text;
  actor uuid;
  client_address inet;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;

  IF TG_OP = 'UPDATE' THEN
    -- Only the columns whose value changed; none (ignored ones aside): no event. The comparison
    -- is on the raw values, so a change of a secret is seen before it is redacted.
    IF old_row - ignored = new_row - ignored THEN
      RETURN NULL;
    END IF;
    SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, new_row -> o.key)
      INTO before_values, after_values
      FROM jsonb_each(old_row) AS o
     WHERE o.value IS DISTINCT FROM new_row -> o.key
       AND o.key <> ALL (ignored);
  ELSE
    before_values := old_row;
    after_values := new_row;
  END IF;

  FOREACH secret IN ARRAY redacted LOOP
    IF before_values ? secret THEN
      before_values := jsonb_set(before_values, ARRAY[secret], '"[redacted]"');
    END IF;
    IF after_values ? secret THEN
      after_values := jsonb_set(after_values, ARRAY[secret], '"[redacted]"');
    END IF;
  END LOOP;
  IF before_values IS NOT NULL THEN recorded := recorded || jsonb_build_object('before', before_values); END IF;
  IF after_values IS NOT NULL THEN recorded := recorded || jsonb_build_object('after', after_values); END IF;

  -- Unset, or reset to '' at the end of the transaction that SET LOCAL it: NULL.
  raw := nullif(current_setting('aeturnis.actor_id', true), '');
  IF raw IS NOT NULL THEN
    BEGIN
      actor := raw::uuid;
    EXCEPTION WHEN data_exception THEN
      actor := NULL;
    END;
    -- audit_log.actor_id references users: an actor that is no user (any more: deleting one's
    -- own account, whose row is already gone when this AFTER trigger runs) would fail the
    -- foreign key check, and with it the application's write.
    IF actor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users WHERE id = actor) THEN
      actor := NULL;
    END IF;
    IF actor IS NULL THEN
      rejected := rejected || jsonb_build_object('aeturnis.actor_id', raw);
    END IF;
  END IF;

  raw := nullif(current_setting('aeturnis.ip_address', true), '');
  IF raw IS NOT NULL THEN
    BEGIN
      client_address := raw::inet;
    EXCEPTION WHEN data_exception THEN
      rejected := rejected || jsonb_build_object('aeturnis.ip_address', raw);
    END;
  END IF;
  IF rejected <> '{}' THEN
    recorded := recorded || jsonb_build_object('rejected_settings', rejected);
  END IF;

  INSERT INTO audit_log (actor_id, event_type, resource_type, resource_id, changes, ip_address, user_agent)
  VALUES (
    actor,
    TG_TABLE_NAME || '.' || lower(TG_OP),
    TG_TABLE_NAME,
    coalesce(new_row, old_row) ->> key_column,
    recorded,
    client_address,
    nullif(current_setting('aeturnis.user_agent', true), '')
  );
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION audit_record_change() IS
  'AFTER INSERT OR UPDATE OR DELETE row trigger writing audit_log; arguments: key column, redacted columns (text[]), ignored columns (text[]); install with audit_enable()';

CREATE FUNCTION audit_enable(
  target regclass,
  key_column text,
  redacted_columns text[] DEFAULT '{}',
  ignored_columns text[] DEFAULT '{}'
) RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
AS $$
DECLARE
  missing text;
BEGIN
  IF target IS NULL OR key_column IS NULL OR redacted_columns IS NULL OR ignored_columns IS NULL THEN
    RAISE EXCEPTION 'audit_enable: table, key column and column lists must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  -- Auditing audit_log would write to audit_log for every row written to audit_log.
  IF coalesce(pg_partition_root(target), target) = 'audit_log'::regclass THEN
    RAISE EXCEPTION 'audit_enable: % is audit_log (or one of its partitions): it cannot audit itself', target
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- A misspelt redacted column would quietly copy the secret into the trail: refuse it.
  SELECT c INTO missing
    FROM unnest(key_column || redacted_columns || ignored_columns) AS c
   WHERE NOT EXISTS (
     SELECT 1 FROM pg_attribute a
      WHERE a.attrelid = target AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'audit_enable: table % has no column %', target, quote_ident(missing)
      USING ERRCODE = 'undefined_column';
  END IF;
  IF EXISTS (
    SELECT 1 FROM pg_trigger t
     WHERE t.tgrelid = target AND t.tgname = 'audit_trail'
       AND t.tgfoid <> 'audit_record_change()'::regprocedure
  ) THEN
    RAISE EXCEPTION 'audit_enable: table % already has a trigger named audit_trail that is not the audit trail''s', target
      USING ERRCODE = 'duplicate_object';
  END IF;
  EXECUTE format(
    'CREATE OR REPLACE TRIGGER audit_trail AFTER INSERT OR UPDATE OR DELETE ON %s '
    'FOR EACH ROW EXECUTE FUNCTION audit_record_change(%L, %L, %L)',
    target, key_column, redacted_columns, ignored_columns);
END
$$;

COMMENT ON FUNCTION audit_enable(regclass, text, text[], text[]) IS
  'Records every INSERT, UPDATE and DELETE of the table''s rows in audit_log (trigger audit_trail); calling it again replaces the column lists';

CREATE FUNCTION audit_disable(target regclass) RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_trigger t
     WHERE t.tgrelid = target AND t.tgname = 'audit_trail'
       AND t.tgfoid = 'audit_record_change()'::regprocedure
  ) THEN
    EXECUTE format('DROP TRIGGER audit_trail ON %s', target);
  ELSE
    RAISE NOTICE 'audit_disable: table % has no audit trail; nothing to do', target;
  END IF;
END
$$;

COMMENT ON FUNCTION audit_disable(regclass) IS
  'Stops recording the table''s changes in audit_log (drops its trigger audit_trail); the rows recorded so far stay';

-- Pin the search_path of the three functions to the schema audit_log lives in, resolved as 0004's
-- statements resolved it. They were created in current_schema(); the two must be the same.
DO $$
DECLARE
  audit_schema name;
BEGIN
  SELECT n.nspname INTO audit_schema
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = pg_catalog.to_regclass('audit_log') AND c.relkind = 'p';
  IF audit_schema IS NULL THEN
    RAISE EXCEPTION '0006_audit_trail: no partitioned table audit_log on the search_path (%)',
      pg_catalog.current_setting('search_path');
  END IF;
  IF audit_schema IS DISTINCT FROM pg_catalog.current_schema() THEN
    RAISE EXCEPTION '0006_audit_trail: audit_log is in schema % but the audit functions would be created in %; run this migration with the search_path 0004 ran with',
      audit_schema, pg_catalog.current_schema();
  END IF;
  EXECUTE pg_catalog.format('ALTER FUNCTION audit_record_change() SET search_path = pg_catalog, %I, pg_temp', audit_schema);
  EXECUTE pg_catalog.format('ALTER FUNCTION audit_enable(regclass, text, text[], text[]) SET search_path = pg_catalog, %I, pg_temp', audit_schema);
  EXECUTE pg_catalog.format('ALTER FUNCTION audit_disable(regclass) SET search_path = pg_catalog, %I, pg_temp', audit_schema);
END
$$;

-- updated_at is stamped by users_set_updated_at on every UPDATE: on its own it is no event.
-- user_sessions has no token hash; refresh_token_jti is the one token-derived value (see docs/audit.md).
SELECT audit_enable('users', 'id', ARRAY['password_hash'], ARRAY['updated_at']);
SELECT audit_enable('user_security', 'user_id', ARRAY['two_factor_secret', 'recovery_codes']);
SELECT audit_enable('user_sessions', 'id', ARRAY['refresh_token_jti']);

-- DOWN
DO $$
DECLARE
  still_audited text;
BEGIN
  -- Tables audited by hand (not by a later migration, whose DOWN ran before this one) keep the
  -- trigger function in use: name them instead of failing on the dependency.
  SELECT pg_catalog.string_agg(t.tgrelid::regclass::text, ', ' ORDER BY t.tgrelid::regclass::text) INTO still_audited
    FROM pg_catalog.pg_trigger t
   WHERE t.tgfoid = 'audit_record_change()'::regprocedure
     AND t.tgparentid = 0
     AND t.tgrelid NOT IN ('users'::regclass, 'user_security'::regclass, 'user_sessions'::regclass);
  IF still_audited IS NOT NULL THEN
    RAISE EXCEPTION '0006_audit_trail: the audit trail is still enabled on %: SELECT audit_disable(...) for each first', still_audited;
  END IF;
END
$$;

DROP TRIGGER audit_trail ON user_sessions;
DROP TRIGGER audit_trail ON user_security;
DROP TRIGGER audit_trail ON users;
DROP FUNCTION audit_disable(regclass);
DROP FUNCTION audit_enable(regclass, text, text[], text[]);
DROP FUNCTION audit_record_change();
