-- user_sessions: one row per refresh token (login session), plus cleanup_expired_sessions().
--
-- A session is active while revoked_at IS NULL and expires_at > now(). Revoked sessions are
-- kept for a while (default 30 days) so that a revoked refresh token presented again is
-- recognised as token reuse (and audited) instead of looking unknown; expired sessions
-- are useless and are deleted at once by cleanup_expired_sessions().

-- UP
CREATE TABLE user_sessions (
  id                uuid        NOT NULL DEFAULT gen_random_uuid(),
  user_id           uuid        NOT NULL,
  refresh_token_jti text        NOT NULL,
  ip_address        inet,
  user_agent        text,
  expires_at        timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_active_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at        timestamptz,

  CONSTRAINT user_sessions_pkey PRIMARY KEY (id),
  -- Refresh: look the session up by the token's jti.
  CONSTRAINT user_sessions_refresh_token_jti_key UNIQUE (refresh_token_jti),
  CONSTRAINT user_sessions_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT user_sessions_refresh_token_jti_check
    CHECK (refresh_token_jti <> ''),
  CONSTRAINT user_sessions_expires_at_check
    CHECK (expires_at > created_at)
);

-- Foreign key index: ON DELETE CASCADE and "revoke all sessions of this user" must find
-- every session of a user, revoked ones included (the partial index below does not).
CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id);
-- "Active sessions of this user" (session list, concurrent-session limit): only unrevoked
-- rows are indexed, so the index stays small while revoked rows wait for cleanup.
CREATE INDEX user_sessions_user_id_active_idx ON user_sessions (user_id, expires_at)
  WHERE revoked_at IS NULL;
-- cleanup_expired_sessions(): expired sessions ...
CREATE INDEX user_sessions_expires_at_idx ON user_sessions (expires_at);
-- ... and long-revoked ones (only revoked rows are indexed).
CREATE INDEX user_sessions_revoked_at_idx ON user_sessions (revoked_at)
  WHERE revoked_at IS NOT NULL;

COMMENT ON TABLE user_sessions IS 'Login sessions, one per refresh token (see docs/schema.md)';
COMMENT ON COLUMN user_sessions.refresh_token_jti IS 'jti claim of the session''s current refresh token';
COMMENT ON COLUMN user_sessions.revoked_at IS 'When the session was revoked (logout, password change, ban); NULL: not revoked';

CREATE FUNCTION cleanup_expired_sessions(revoked_retention interval DEFAULT interval '30 days')
RETURNS bigint
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
  deleted bigint;
BEGIN
  IF revoked_retention IS NULL OR revoked_retention < interval '0' THEN
    RAISE EXCEPTION 'cleanup_expired_sessions: revoked_retention must be a non-negative interval, got %',
      coalesce(revoked_retention::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  DELETE FROM user_sessions
   WHERE expires_at <= now()
      OR revoked_at <= now() - revoked_retention;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END
$$;

COMMENT ON FUNCTION cleanup_expired_sessions(interval) IS
  'Deletes sessions that have expired, and sessions revoked more than revoked_retention ago (default 30 days); returns the number deleted';

-- DOWN
DROP FUNCTION cleanup_expired_sessions(interval);
DROP TABLE user_sessions;
