-- users: one row per account.
--
-- email and username are citext: UNIQUE on them is case-insensitive ('A@x.com' and 'a@x.com'
-- cannot both exist) and an ordinary `WHERE email = $1` (any case) is answered by the unique
-- index. roles is a non-empty set of 'user' | 'moderator' | 'admin'; status is one of
-- 'active' | 'suspended' | 'banned'. updated_at is maintained by the set_updated_at() trigger.

-- UP
CREATE TABLE users (
  id             uuid        NOT NULL DEFAULT gen_random_uuid(),
  email          citext      NOT NULL,
  username       citext      NOT NULL,
  password_hash  text        NOT NULL,
  roles          text[]      NOT NULL DEFAULT ARRAY['user']::text[],
  status         text        NOT NULL DEFAULT 'active',
  email_verified boolean     NOT NULL DEFAULT false,
  metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  last_login     timestamptz,

  CONSTRAINT users_pkey PRIMARY KEY (id),
  -- Case-insensitive (citext) unique indexes: login / sign-up lookups by email or username.
  CONSTRAINT users_email_key UNIQUE (email),
  CONSTRAINT users_username_key UNIQUE (username),

  CONSTRAINT users_email_check
    CHECK (char_length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  CONSTRAINT users_username_check
    CHECK (char_length(username) BETWEEN 3 AND 32 AND username !~ '[[:space:]]'),
  CONSTRAINT users_password_hash_check
    CHECK (password_hash <> ''),
  -- roles is a set: only known roles (and no NULL elements), at least one, no duplicates.
  CONSTRAINT users_roles_known_check
    CHECK (roles <@ ARRAY['user', 'moderator', 'admin']::text[]),
  CONSTRAINT users_roles_nonempty_check
    CHECK (cardinality(roles) >= 1 AND array_ndims(roles) = 1),
  CONSTRAINT users_roles_distinct_check
    CHECK (cardinality(array_positions(roles, 'user')) <= 1
       AND cardinality(array_positions(roles, 'moderator')) <= 1
       AND cardinality(array_positions(roles, 'admin')) <= 1),
  CONSTRAINT users_status_check
    CHECK (status IN ('active', 'suspended', 'banned')),
  CONSTRAINT users_metadata_check
    CHECK (jsonb_typeof(metadata) = 'object')
);

COMMENT ON TABLE users IS 'Player and staff accounts (see docs/schema.md)';
COMMENT ON COLUMN users.email IS 'Login e-mail; citext: unique and compared case-insensitively';
COMMENT ON COLUMN users.username IS 'Public name; citext: unique and compared case-insensitively';
COMMENT ON COLUMN users.password_hash IS 'Argon2id PHC string ($argon2id$...); never a plain password';
COMMENT ON COLUMN users.roles IS 'Non-empty set of user | moderator | admin';
COMMENT ON COLUMN users.status IS 'active | suspended | banned';

CREATE TRIGGER users_set_updated_at
  BEFORE UPDATE ON users
  FOR EACH ROW
  EXECUTE FUNCTION set_updated_at();

-- DOWN
DROP TABLE users;
