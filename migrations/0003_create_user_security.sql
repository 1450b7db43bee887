-- user_security: per-user login security state, one row per user (1:1 with users).
--
-- Kept out of users so that the hot users row (profile reads) does not carry secrets and
-- the frequently written counters (failed attempts) do not churn it.
-- The primary key user_id is also the foreign key; deleting the user deletes this row.

-- UP
CREATE TABLE user_security (
  user_id               uuid        NOT NULL,
  failed_login_attempts integer     NOT NULL DEFAULT 0,
  locked_until          timestamptz,
  two_factor_enabled    boolean     NOT NULL DEFAULT false,
  two_factor_secret     text,
  recovery_codes        text[]      NOT NULL DEFAULT ARRAY[]::text[],
  password_changed_at   timestamptz NOT NULL DEFAULT now(),
  force_password_change boolean     NOT NULL DEFAULT false,

  -- The primary key index also serves the foreign key (and its ON DELETE CASCADE).
  CONSTRAINT user_security_pkey PRIMARY KEY (user_id),
  CONSTRAINT user_security_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT user_security_failed_login_attempts_check
    CHECK (failed_login_attempts >= 0),
  -- Two-factor cannot be on without a secret to verify codes against.
  CONSTRAINT user_security_two_factor_check
    CHECK (NOT two_factor_enabled OR two_factor_secret IS NOT NULL),
  CONSTRAINT user_security_recovery_codes_check
    CHECK (array_position(recovery_codes, NULL) IS NULL)
);

COMMENT ON TABLE user_security IS 'Login security state, 1:1 with users (see docs/schema.md)';
COMMENT ON COLUMN user_security.locked_until IS 'Account locked while now() < locked_until; NULL: not locked';
COMMENT ON COLUMN user_security.two_factor_secret IS 'TOTP secret, encrypted by the application; NULL when 2FA was never set up';
COMMENT ON COLUMN user_security.recovery_codes IS 'Hashes of the unused 2FA recovery codes (never the codes themselves)';

-- DOWN
DROP TABLE user_security;
