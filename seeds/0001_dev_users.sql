-- DEV ONLY: development accounts. Never run against production (the CLI refuses to seed
-- with NODE_ENV=production unless --force). The passwords are documented in docs/schema.md
-- ("Dev seed accounts"); only their Argon2id hashes are stored here.
--
--   admin       admin@aeturnis.test    roles {admin,user}, verified
--   testplayer  player@aeturnis.test   roles {user},       verified
--
-- Re-runnable: fixed ids + ON CONFLICT. A second run inserts nothing; it only puts the
-- credentials, roles, status and lock state back to the values below if they were changed
-- (so the documented passwords always work after `aeturnis-db seed`). It leaves the
-- rows untouched (updated_at included) when they already match.

INSERT INTO users (id, email, username, password_hash, roles, status, email_verified, metadata)
VALUES
  ('ae000000-0000-4000-8000-000000000001', 'admin@aeturnis.test', 'admin',
   '$argon2id$v=19$m=65536,p=4,t=3$K3W7wACUrzB7MaJqvEemgg$kDP9kQZj8RHDm46dSaNFp3pTzFkr1KXRsGigaz0uPN0',
   ARRAY['admin', 'user'], 'active', true, '{"seed": "dev"}'),
  ('ae000000-0000-4000-8000-000000000002', 'player@aeturnis.test', 'testplayer',
   '$argon2id$v=19$m=65536,p=4,t=3$KoKnfkj3jndb2xMQeoePPQ$WYr75ruZBzIL0pyRF/RptLd4ygE5Mt7lDsabVXnSvR0',
   ARRAY['user'], 'active', true, '{"seed": "dev"}')
ON CONFLICT (id) DO UPDATE
   SET email          = EXCLUDED.email,
       username       = EXCLUDED.username,
       password_hash  = EXCLUDED.password_hash,
       roles          = EXCLUDED.roles,
       status         = EXCLUDED.status,
       email_verified = EXCLUDED.email_verified
 WHERE (users.email::text, users.username::text, users.password_hash, users.roles, users.status, users.email_verified)
       IS DISTINCT FROM
       (EXCLUDED.email::text, EXCLUDED.username::text, EXCLUDED.password_hash, EXCLUDED.roles, EXCLUDED.status, EXCLUDED.email_verified);

INSERT INTO user_security (user_id, failed_login_attempts, locked_until, two_factor_enabled, force_password_change)
VALUES
  ('ae000000-0000-4000-8000-000000000001', 0, NULL, false, false),
  ('ae000000-0000-4000-8000-000000000002', 0, NULL, false, false)
ON CONFLICT (user_id) DO UPDATE
   SET failed_login_attempts = EXCLUDED.failed_login_attempts,
       locked_until          = EXCLUDED.locked_until,
       force_password_change = EXCLUDED.force_password_change
 WHERE (user_security.failed_login_attempts, user_security.locked_until, user_security.force_password_change)
       IS DISTINCT FROM
       (EXCLUDED.failed_login_attempts, EXCLUDED.locked_until, EXCLUDED.force_password_change);
