-- Demo data, part 2 of 3: the fixed accounts a demo needs, sharing the password hash $1.
-- One statement. Who to log in as (verified, as admin provisioning leaves them), the
-- awkward cases (a federated account without a password, a hostile email full of terminal
-- control characters, a 255-character email, a double-width one), and one account that
-- registered itself a few hours ago and has not clicked its verification link yet.
INSERT INTO users (id, email, role, auth_provider, external_id, password_hash, is_active,
                   email_verified, failed_login_attempts, locked_until, last_login_at,
                   last_failed_login_at, created_at, updated_at)
VALUES
  (gen_random_uuid(), 'admin@skriptoteket.test', 'superuser', 'local', NULL, $1, true,
   true, 0, NULL, now() - interval '2 hours', NULL,
   now() - interval '412 days', now() - interval '2 hours'),
  (gen_random_uuid(), 'backup.super@skriptoteket.test', 'superuser', 'local', NULL, $1, true,
   true, 0, NULL, NULL, NULL,
   now() - interval '412 days', now() - interval '412 days'),
  (gen_random_uuid(), 'lena.lund@skriptoteket.test', 'admin', 'local', NULL, $1, true,
   true, 0, NULL, now() - interval '1 day', now() - interval '9 days',
   now() - interval '380 days', now() - interval '1 day'),
  (gen_random_uuid(), 'extern.larare@huleedu.test', 'user', 'huleedu', 'hule-4711', NULL, true,
   true, 0, NULL, now() - interval '3 days', NULL,
   now() - interval '75 days', now() - interval '3 days'),
  (gen_random_uuid(), E'mallory\u001b]2;PWNED\u0007\u202e@evil.test', 'user', 'local', NULL, $1, true,
   true, 0, NULL, NULL, NULL,
   now() - interval '30 days', now() - interval '30 days'),
  (gen_random_uuid(), repeat('x', 242) || '@long.example', 'user', 'local', NULL, $1, true,
   true, 0, NULL, NULL, NULL,
   now() - interval '12 days', now() - interval '12 days'),
  (gen_random_uuid(), '漢字テスト@wide.example', 'contributor', 'local', NULL, $1, true,
   true, 0, NULL, NULL, NULL,
   now() - interval '60 days', now() - interval '60 days'),
  (gen_random_uuid(), 'ny.registrerad@skola.se', 'user', 'local', NULL, $1, true,
   false, 0, NULL, NULL, NULL,
   now() - interval '5 hours', now() - interval '5 hours')
