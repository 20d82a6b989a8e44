-- Demo data, part 1 of 3: $1 (bigint) generated users, all sharing the password hash $2.
-- One statement. Generated user i is <first>.<last><i>@<domain>; everything about it
-- follows from i, so related.sql can recover i from the email:
--   role          admin when i % 100 = 7, contributor when i % 10 = 3, else user
--   inactive      i % 50 = 11
--   never logged  i % 5 = 0
--   self-registered, never verified   i % 25 = 0 (registered in the last 20 days;
--                 the rest were provisioned by an admin and have email_verified = true)
--   locked now    i % 97 = 5   (5 failures in the last few minutes, 15-minute lock)
--   lock expired  i % 97 = 50  (5 failures, the lock has run out, no success since)
--   1-3 failures  i % 31 = 9   (wrong passwords since the last success, not locked)
--   old typo      i % 18 = 4   (one failure just before the last success: counter back at
--                 0 but last_failed_login_at kept, as the web app leaves it)
-- Times are minutes before now(): created, then logins and failures, and updated_at is
-- the latest of them (the web app writes updated_at on every change). The steps are
-- MATERIALIZED so each value is computed once (inlined, the expressions multiply and the
-- planner JIT-compiles them, which takes longer than the insert).
WITH names AS (
  SELECT ARRAY['anna','erik','maria','lars','karin','johan','eva','anders','sara','per',
               'lena','mikael','emma','nils','ingrid','oskar','sofia','gustav','elin','hugo'] AS f,
         ARRAY['andersson','johansson','karlsson','nilsson','eriksson','larsson','olsson',
               'persson','svensson','gustafsson','pettersson','jonsson','berg','lund','holm',
               'sjöberg','lindqvist','engström','ek','åberg'] AS l,
         ARRAY['skola.se','larare.se','gymnasium.se','kommun.se','edu.se'] AS d
),
g AS MATERIALIZED (
  SELECT i,
         f[1 + i % 20] || '.' || l[1 + (i / 20) % 20] || i || '@' || d[1 + i % 5] AS email,
         CASE WHEN i % 100 = 7 THEN 'admin' WHEN i % 10 = 3 THEN 'contributor' ELSE 'user' END AS role,
         i % 25 = 0 AS self_registered,
         CASE WHEN i % 25 = 0 THEN ((i * 7919) % 480) * 60 + i % 60
              ELSE ((i * 7919) % 730) * 1440 + i % 600 END AS created_ago
  FROM names, generate_series(1, $1) AS i
),
f AS MATERIALIZED (
  SELECT g.*,
         CASE WHEN i % 97 = 5 THEN 5
              WHEN i % 97 = 50 AND created_ago >= 240 THEN 5
              WHEN i % 31 = 9 THEN 1 + (i / 31) % 3
              ELSE 0 END AS attempts,
         CASE WHEN i % 97 = 5 THEN least(i % 5, created_ago)
              WHEN i % 97 = 50 AND created_ago >= 240 THEN 60 + (i * 31337) % least(created_ago - 60, 20000)
              WHEN i % 31 = 9 THEN (i * 31337) % least(20000, created_ago + 1)
              END AS failed_ago
  FROM g
),
t AS MATERIALIZED (
  SELECT f.*,
         CASE WHEN i % 5 = 0 THEN NULL
              WHEN failed_ago IS NOT NULL THEN least(failed_ago + 5 + (i * 104729) % 100000, created_ago)
              ELSE (i * 104729) % least(129600, created_ago) END AS login_ago
  FROM f
),
u AS MATERIALIZED (
  SELECT t.i, t.email, t.role, t.self_registered, t.created_ago, t.attempts, t.login_ago,
         CASE WHEN t.failed_ago IS NULL AND t.login_ago IS NOT NULL AND t.i % 18 = 4
                   AND t.login_ago + 1 < t.created_ago THEN t.login_ago + 1
              ELSE t.failed_ago END AS failed_ago
  FROM t
)
INSERT INTO users (id, email, role, auth_provider, external_id, password_hash, is_active,
                   email_verified, failed_login_attempts, locked_until, last_login_at,
                   last_failed_login_at, created_at, updated_at)
SELECT gen_random_uuid(), email, role, 'local', NULL, $2,
       i % 50 <> 11,
       NOT self_registered,
       attempts,
       CASE WHEN attempts >= 5 THEN now() - make_interval(mins => failed_ago::int) + interval '15 minutes' END,
       now() - make_interval(mins => login_ago::int),
       now() - make_interval(mins => failed_ago::int),
       now() - make_interval(mins => created_ago::int),
       now() - make_interval(mins => least(created_ago, login_ago, failed_ago,
                                           ((i * 7919) % 365) * 1440 + i % 600)::int)
FROM u
ORDER BY email  -- the two email indexes fill faster in order
