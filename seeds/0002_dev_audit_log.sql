-- DEV ONLY: a few audit entries for the dev accounts of 0001_dev_users.sql, a few minutes
-- old at the time of the first run (they land in the current month's partition, or in
-- audit_log_default when that partition does not exist yet).
--
-- Re-runnable: the primary key of the partitioned audit_log is (id, created_at), and
-- created_at differs on every run, so ON CONFLICT cannot catch a repeat; each entry has a
-- fixed id and is inserted only if no entry with that id exists (in any partition).

INSERT INTO audit_log (id, actor_id, event_type, resource_type, resource_id, changes, ip_address, user_agent, created_at)
SELECT v.id, v.actor_id, v.event_type, v.resource_type, v.resource_id, v.changes, v.ip_address, v.user_agent,
       now() - v.age
  FROM (VALUES
    ('ae000000-0000-4000-8000-0000000000a1'::uuid, NULL::uuid,
     'user.created', 'user', 'ae000000-0000-4000-8000-000000000001',
     '{"after": {"email": "admin@aeturnis.test", "username": "admin", "roles": ["user"], "status": "active"}}'::jsonb,
     NULL::inet, 'aeturnis-db seed', interval '30 minutes'),
    ('ae000000-0000-4000-8000-0000000000a2'::uuid, NULL::uuid,
     'user.roles_changed', 'user', 'ae000000-0000-4000-8000-000000000001',
     '{"before": {"roles": ["user"]}, "after": {"roles": ["admin", "user"]}}'::jsonb,
     NULL::inet, 'aeturnis-db seed', interval '29 minutes'),
    ('ae000000-0000-4000-8000-0000000000a3'::uuid, 'ae000000-0000-4000-8000-000000000001'::uuid,
     'user.created', 'user', 'ae000000-0000-4000-8000-000000000002',
     '{"after": {"email": "player@aeturnis.test", "username": "testplayer", "roles": ["user"], "status": "active"}}'::jsonb,
     '127.0.0.1'::inet, 'Mozilla/5.0 (X11; Linux x86_64) AeturnisAdmin/dev', interval '20 minutes'),
    ('ae000000-0000-4000-8000-0000000000a4'::uuid, 'ae000000-0000-4000-8000-000000000002'::uuid,
     'auth.login_failed', 'user', 'ae000000-0000-4000-8000-000000000002',
     '{"before": {"failed_login_attempts": 0}, "after": {"failed_login_attempts": 1}}'::jsonb,
     '127.0.0.1'::inet, 'AeturnisClient/dev', interval '11 minutes'),
    ('ae000000-0000-4000-8000-0000000000a5'::uuid, 'ae000000-0000-4000-8000-000000000002'::uuid,
     'auth.login_succeeded', 'user', 'ae000000-0000-4000-8000-000000000002',
     '{"before": {"failed_login_attempts": 1}, "after": {"failed_login_attempts": 0}}'::jsonb,
     '127.0.0.1'::inet, 'AeturnisClient/dev', interval '10 minutes')
  ) AS v(id, actor_id, event_type, resource_type, resource_id, changes, ip_address, user_agent, age)
 WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = v.id);
