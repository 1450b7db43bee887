-- Extensions and shared helpers used by the later migrations.
--
-- * citext: case-insensitive text, used for users.email and users.username so that
--   uniqueness and plain `WHERE email = $1` lookups ignore case and use the unique index.
--   It is a trusted extension (PG 13+): the database owner may create it without superuser.
--   On PGlite it must be passed to PGlite.create({ extensions: { citext } }).
--   The extension is created only if it is not installed yet, and then marked (its comment)
--   as owned by this migration; DOWN drops it only when it carries that mark, so a citext
--   that a DBA installed before this migration (or that other schemas use) is left alone.
-- * set_updated_at(): BEFORE UPDATE trigger function that stamps NEW.updated_at = now().

-- UP
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citext') THEN
    CREATE EXTENSION citext;
    COMMENT ON EXTENSION citext IS
      'data type for case-insensitive character strings (installed by aeturnis-db migration 0001; dropped by its DOWN)';
  END IF;
END
$$;

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  -- now() is the transaction's start time: every row touched by one transaction gets the
  -- same stamp, consistent with created_at DEFAULT now().
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION set_updated_at() IS
  'BEFORE UPDATE row trigger: sets NEW.updated_at to now() on every update';

-- DOWN
DROP FUNCTION set_updated_at();

DO $$
BEGIN
  IF EXISTS (
    SELECT 1
      FROM pg_catalog.pg_extension e
     WHERE e.extname = 'citext'
       AND pg_catalog.obj_description(e.oid, 'pg_extension') LIKE '%installed by aeturnis-db migration 0001%'
  ) THEN
    DROP EXTENSION citext;
  END IF;
END
$$;
