-- Demo data, part 3 of 3 (after bulk.sql and cast.sql): the rows a live site has around
-- its users. Several statements, no parameters. Run it inside the seeding transaction.
--
-- Who ends up undeletable, as on a live site: everyone who has logged in with a password
-- has run tools (tool_runs, ON DELETE RESTRICT), except the "light" users whose generated
-- index is 2 mod 7. Tool owners, authors, reviewers and maintainers (lena.lund among them)
-- are blocked by the tool tables too. Restricting rows go only to users who have logged
-- in, so everyone who never did (every 5th generated user, the self-registered ones,
-- backup.super, mallory, the 255-character and the double-width accounts,
-- ny.registrerad) stays deletable, and so does the federated extern.larare: their other
-- rows (profiles, sessions, tokens, favourites, login events) cascade or are set to NULL.

-- Generating rows makes expressions look costly to the planner, and JIT-compiling them
-- would take longer than running them (only for this transaction).
SET LOCAL jit = off;

-- Every user, with the generated index recovered from the email (0 for the fixed cast),
-- a number to vary things by, and a usual address and browser.
CREATE TEMP TABLE seed_users AS
WITH a AS MATERIALIZED (
  SELECT id, email, role, auth_provider, is_active, email_verified,
         failed_login_attempts AS attempts, locked_until, last_login_at, last_failed_login_at,
         created_at, updated_at,
         COALESCE(substring(email FROM '([0-9]+)@')::bigint, 0) AS gi
  FROM users
),
b AS MATERIALIZED (
  SELECT a.*, CASE WHEN gi > 0 THEN gi ELSE abs(hashtext(email)) % 1000000 END AS v FROM a
)
SELECT b.*,
       last_login_at IS NOT NULL AND auth_provider = 'local' AND gi % 7 <> 2 AS runs_tools,
       CASE WHEN v % 10 = 6
            THEN '2001:6b0:' || to_hex((v % 65536)::int) || '::' || to_hex((1 + v % 4000)::int)
            ELSE (ARRAY['194.47.','130.239.','83.250.','90.229.','81.228.','213.115.','46.59.','155.4.'])[1 + v % 8]
                 || ((v / 8) % 256) || '.' || (1 + (v / 2048) % 254) END AS ip,
       (ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
              'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
              'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
              'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
              'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
              'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'
             ])[1 + v % 6] AS ua
FROM b;

-- Profiles, as the web app writes them: provisioning leaves the names empty, registration
-- fills first and last name; users who logged in have mostly filled theirs in since.
INSERT INTO user_profiles (user_id, first_name, last_name, display_name, locale, created_at,
                           updated_at, allow_remote_fallback)
SELECT id,
       CASE WHEN named THEN left(initcap(split_part(split_part(email, '@', 1), '.', 1)), 100) END,
       CASE WHEN named THEN left(initcap(regexp_replace(split_part(split_part(email, '@', 1), '.', 2), '[0-9]+$', '')), 100) END,
       CASE WHEN named AND email_verified AND v % 17 = 2
            THEN left(initcap(split_part(split_part(email, '@', 1), '.', 1)) || ' '
                      || upper(left(split_part(split_part(email, '@', 1), '.', 2), 1)) || '.', 100) END,
       'sv-SE',
       created_at,
       CASE WHEN email_verified AND last_login_at IS NOT NULL AND (named OR v % 13 IN (1, 7))
            THEN last_login_at ELSE created_at END,
       CASE WHEN last_login_at IS NOT NULL AND v % 13 = 1 THEN true
            WHEN last_login_at IS NOT NULL AND v % 13 = 7 THEN false END
FROM (SELECT *, NOT email_verified
                OR (last_login_at IS NOT NULL AND email ~ '^[a-z]+\.[^@.0-9]+[0-9]*@') AS named
      FROM seed_users) p;

-- Sessions: one from the last login of each user seen in the last 45 days (7 days long,
-- so recent ones are active), sometimes an older one from another device; some logged
-- out (revoked), and deactivation revoked whatever was still open. (The web app never
-- deletes sessions; older ones are left out to keep seeding fast.)
INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, revoked_at)
SELECT gen_random_uuid(), u.id,
       md5(random()::text),
       s.created, s.created + interval '7 days',
       CASE WHEN NOT u.is_active AND u.updated_at < s.created + interval '7 days' THEN greatest(u.updated_at, s.created)
            WHEN s.k = 1 AND u.v % 6 = 0
                 AND s.created + make_interval(mins => (30 + u.v % 120)::int) < now()
              THEN s.created + make_interval(mins => (30 + u.v % 120)::int)
            WHEN s.k = 2 AND u.v % 2 = 0 THEN s.created + interval '2 hours' END
FROM seed_users u
CROSS JOIN LATERAL (VALUES (1, u.last_login_at),
                           (2, u.last_login_at - make_interval(days => (2 + u.v % 10)::int))) AS s(k, created)
WHERE u.last_login_at >= now() - interval '45 days'
  AND (s.k = 1 OR (u.v % 5 = 1 AND s.created >= u.created_at));

-- Verification links: every unverified account got one at registration (valid 24 hours);
-- about half of those older than a day asked for another. Some provisioned-looking users
-- registered themselves long ago and used their link (kept with verified_at set).
INSERT INTO email_verification_tokens (id, user_id, token, expires_at, verified_at, created_at)
SELECT gen_random_uuid(), u.id,
       translate(rtrim(encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'base64'), '='), '+/', '-_'),
       t.created + interval '24 hours', NULL, t.created
FROM seed_users u
CROSS JOIN LATERAL (VALUES (1, u.created_at),
                           (2, u.created_at + make_interval(days => (1 + u.v % 5)::int))) AS t(k, created)
WHERE NOT u.email_verified AND (t.k = 1 OR (u.v % 2 = 0 AND t.created < now()));
INSERT INTO email_verification_tokens (id, user_id, token, expires_at, verified_at, created_at)
SELECT gen_random_uuid(), id,
       translate(rtrim(encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'base64'), '='), '+/', '-_'),
       created_at + interval '24 hours',
       created_at + least(make_interval(mins => (5 + v % 300)::int), (last_login_at - created_at) / 2),
       created_at
FROM seed_users
WHERE email_verified AND gi % 25 = 12 AND last_login_at IS NOT NULL;

-- Tools: a fixed catalogue. The first three belong to lena.lund, the rest to contributors
-- who write tool versions (every third contributor who runs tools, at most 96 of them),
-- or to lena when the demo is too small to have any.
CREATE TEMP TABLE seed_authors AS
SELECT id, row_number() OVER (ORDER BY hashtext(email), email) AS an
FROM (SELECT id, email, row_number() OVER (ORDER BY email) AS cn
      FROM seed_users WHERE runs_tools AND role = 'contributor') c
WHERE cn % 3 = 0
ORDER BY hashtext(email), email
LIMIT 96;

CREATE TEMP TABLE seed_tools (k int NOT NULL, id uuid NOT NULL DEFAULT gen_random_uuid(),
                              slug text NOT NULL, title text NOT NULL, summary text NOT NULL);
INSERT INTO seed_tools (k, slug, title, summary) VALUES
  (1, 'betygsunderlag', 'Betygsunderlag från Excel', 'Sammanställer omdömen per elev ur en exporterad betygsfil.'),
  (2, 'narvarorapport', 'Närvarorapport per klass', 'Räknar frånvaro per elev och vecka ur en närvaroexport.'),
  (3, 'klasslistor', 'Klasslistor till etiketter', 'Gör utskriftsklara etiketter av en klasslista.'),
  (4, 'schemakrockar', 'Hitta schemakrockar', 'Letar dubbelbokade salar och lärare i ett schema.'),
  (5, 'utvecklingssamtal', 'Underlag för utvecklingssamtal', 'Samlar resultat och närvaro inför samtalet.'),
  (6, 'omdomesmallar', 'Omdömesmallar', 'Fyller i omdömesmallar från en kunskapsmatris.'),
  (7, 'provresultat', 'Sammanställ provresultat', 'Medel, median och fördelning per uppgift.'),
  (8, 'gruppindelning', 'Slumpa grupper', 'Delar in en klass i grupper med hänsyn till önskemål.'),
  (9, 'franvarosammanstallning', 'Frånvarosammanställning', 'Månadsvis frånvaro till mentorer.'),
  (10, 'ordlistor', 'Ordlistor för läsförståelse', 'Plockar ut svåra ord ur en text.'),
  (11, 'lasloggar', 'Läsloggar', 'Sammanfattar elevernas läsloggar.'),
  (12, 'bedomningsmatris', 'Bedömningsmatris', 'Bygger en matris ur kunskapskraven.'),
  (13, 'elevenkat', 'Sammanställ elevenkät', 'Diagram och fritextsvar ur en enkätexport.'),
  (14, 'mentorsbrev', 'Mentorsbrev till vårdnadshavare', 'Skapar personliga brev ur en mall.'),
  (15, 'extra-anpassningar', 'Extra anpassningar – översikt', 'Listar anpassningar per elev och ämne.'),
  (16, 'nationella-prov', 'Nationella prov – resultatanalys', 'Jämför delprov mellan klasser.'),
  (17, 'lektionsplanering', 'Lektionsplanering vecka för vecka', 'Fördelar ett centralt innehåll över terminen.'),
  (18, 'kursplaner', 'Jämför kursplaner', 'Visar skillnader mellan två kursplaner.'),
  (19, 'lix', 'Textanalys: läsbarhet (LIX)', 'Beräknar läsbarhetsindex för elevtexter.'),
  (20, 'kallkontroll', 'Citat- och källkontroll', 'Markerar citat utan källhänvisning.'),
  (21, 'rattningsmall', 'Rättningsmall för skrivuppgifter', 'Poäng per kriterium till en samlad bedömning.'),
  (22, 'sprakval', 'Språkval – sammanställning', 'Räknar elevernas språkval per årskurs.'),
  (23, 'ledighetsansokningar', 'Ledighetsansökningar', 'Sammanställer ansökningar om ledighet.'),
  (24, 'incidentrapporter', 'Incidentrapporter – översikt', 'Ny: sammanfattar incidentrapporter per månad.');

INSERT INTO tools (id, slug, title, summary, created_at, updated_at, is_published, owner_user_id)
SELECT t.id, t.slug, t.title, t.summary,
       now() - make_interval(days => 300 - t.k * 11), now() - make_interval(days => 300 - t.k * 11),
       false, COALESCE(a.id, lena.id)
FROM seed_tools t
CROSS JOIN (SELECT id FROM users WHERE email = 'lena.lund@skriptoteket.test') lena
LEFT JOIN seed_authors a
       ON t.k > 3 AND a.an = 1 + (t.k - 4) % NULLIF((SELECT count(*) FROM seed_authors), 0);

-- Versions: v1 by each tool's owner, then one version from every author on the tool their
-- number picks. The newest is active (or a draft / in review, with the one before it
-- active); older ones archived; the newest tool has only drafts. Reviewed and published
-- mostly by lena.lund, sometimes by another admin who uses the site.
CREATE TEMP TABLE seed_versions AS
WITH v AS (
  SELECT t.k, t.id AS tool_id, tl.owner_user_id AS creator, 0::bigint AS ord, tl.created_at AS tool_created
  FROM seed_tools t JOIN tools tl ON tl.id = t.id
  UNION ALL
  SELECT t.k, t.id, a.id, a.an, tl.created_at
  FROM seed_authors a JOIN seed_tools t ON t.k = 1 + (a.an % 24)::int JOIN tools tl ON tl.id = t.id
),
n AS (
  SELECT v.*, row_number() OVER (PARTITION BY tool_id ORDER BY ord) AS vn,
         count(*) OVER (PARTITION BY tool_id) AS m
  FROM v
)
SELECT gen_random_uuid() AS id, n.k, n.tool_id, n.creator, n.vn, n.m,
       n.tool_created + (now() - n.tool_created) * ((n.vn - 1)::float8 / n.m) AS created_at,
       CASE WHEN n.k = 24 THEN 'draft'
            WHEN n.vn = n.m AND n.m > 1 AND n.k % 4 = 0 THEN 'draft'
            WHEN n.vn = n.m AND n.m > 1 AND n.k % 4 = 1 THEN 'in_review'
            WHEN n.vn = n.m OR (n.vn = n.m - 1 AND n.k % 4 IN (0, 1)) THEN 'active'
            ELSE 'archived' END AS state,
       CASE WHEN (n.vn + n.k) % 3 = 0 THEN adm.id END AS other_reviewer
FROM n
LEFT JOIN (SELECT id, row_number() OVER (ORDER BY email) AS r
           FROM seed_users WHERE runs_tools AND role = 'admin' AND gi > 0) adm
       ON adm.r = 1 + (n.vn * 31 + n.k) % 5;

INSERT INTO tool_versions (id, tool_id, version_number, state, source_code, entrypoint,
                           content_hash, derived_from_version_id, created_by_user_id, created_at,
                           submitted_for_review_by_user_id, submitted_for_review_at,
                           reviewed_by_user_id, reviewed_at, published_by_user_id, published_at,
                           change_summary, input_schema)
SELECT v.id, v.tool_id, v.vn, v.state, c.src, 'run_tool',
       encode(sha256(convert_to('run_tool' || E'\n' || c.src, 'UTF8')), 'hex'),
       lag(v.id) OVER (PARTITION BY v.tool_id ORDER BY v.vn),
       v.creator, v.created_at,
       CASE WHEN v.state <> 'draft' THEN v.creator END,
       CASE WHEN v.state <> 'draft' THEN v.created_at + interval '1 hour' END,
       CASE WHEN v.state IN ('active', 'archived') THEN COALESCE(v.other_reviewer, lena.id) END,
       CASE WHEN v.state IN ('active', 'archived') THEN least(now(), v.created_at + interval '1 day') END,
       CASE WHEN v.state IN ('active', 'archived') THEN COALESCE(v.other_reviewer, lena.id) END,
       CASE WHEN v.state IN ('active', 'archived') THEN least(now(), v.created_at + interval '1 day') END,
       CASE WHEN v.vn = 1 THEN 'Första versionen.'
            ELSE (ARRAY['Tål tomma rader i indata.', 'Nya kolumnnamn i exporten.',
                        'Snabbare för stora klasser.', 'Tydligare felmeddelanden.'])[1 + (v.vn % 4)::int] END,
       '[{"kind": "file", "name": "files", "label": "Filer", "min": 1, "max": 10}]'::jsonb
FROM seed_versions v
JOIN seed_tools t ON t.id = v.tool_id
CROSS JOIN (SELECT id FROM users WHERE email = 'lena.lund@skriptoteket.test') lena
CROSS JOIN LATERAL (SELECT 'def run_tool(input_dir: str, output_dir: str) -> str:' || E'\n'
                           || '    # ' || t.title || ', version ' || v.vn || E'\n'
                           || '    return "<p>Klart.</p>"' || E'\n' AS src) c;

UPDATE tools t
SET active_version_id = v.id, is_published = true, updated_at = least(now(), v.created_at + interval '1 day')
FROM seed_versions v
WHERE v.tool_id = t.id AND v.state = 'active';

-- Maintainers: each tool's owner and everyone who wrote a version of it; the ones added
-- after the start were assigned by lena.lund (logged in the maintainer audit log).
INSERT INTO tool_maintainers (tool_id, user_id)
SELECT id, owner_user_id FROM tools
UNION
SELECT tool_id, creator FROM seed_versions;

INSERT INTO tool_maintainer_audit_log (id, tool_id, user_id, action, performed_by_user_id, performed_at, reason)
SELECT gen_random_uuid(), v.tool_id, v.creator, 'assigned', lena.id, v.created_at - interval '1 hour',
       'Vill bidra med förbättringar.'
FROM (SELECT DISTINCT ON (tool_id, creator) tool_id, creator, created_at
      FROM seed_versions ORDER BY tool_id, creator, vn) v
JOIN tools t ON t.id = v.tool_id AND t.owner_user_id <> v.creator
CROSS JOIN (SELECT id FROM users WHERE email = 'lena.lund@skriptoteket.test') lena;

-- Draft locks: whoever wrote a tool's newest draft holds the editor lock; lena.lund broke
-- one of them.
INSERT INTO draft_locks (tool_id, draft_head_id, locked_by_user_id, forced_by_user_id, locked_at, expires_at)
SELECT v.tool_id, v.id, v.creator,
       CASE WHEN v.k = (SELECT min(k) FROM seed_versions WHERE state = 'draft' AND vn = m)
            THEN (SELECT id FROM users WHERE email = 'lena.lund@skriptoteket.test') END,
       now() - interval '5 minutes', now() + interval '10 minutes'
FROM seed_versions v
WHERE v.state = 'draft' AND v.vn = v.m;

-- Tool runs: a production run (for every fifth user two) for everyone who uses the site,
-- around their last login; a run of the curated demo app for some; a sandbox run of each
-- version by its author.
CREATE TEMP TABLE seed_published AS
SELECT row_number() OVER (ORDER BY slug) AS p, id AS tool_id, active_version_id
FROM tools WHERE is_published;

INSERT INTO tool_runs (id, tool_id, version_id, context, requested_by_user_id, status,
                       requested_at, started_at, finished_at, workdir_path, input_filename,
                       input_size_bytes, error_summary, source_kind, input_manifest)
SELECT r.id, p.tool_id, p.active_version_id, 'production', r.user_id, r.status,
       r.at, r.at + interval '1 second', r.at + make_interval(secs => (2 + r.v % 20)::int),
       r.id::text, r.fname, r.bytes,
       CASE r.status WHEN 'failed' THEN 'KeyError: ''Personnummer'''
                     WHEN 'timed_out' THEN 'Körningen avbröts efter 60 sekunder.' END,
       'tool_version',
       jsonb_build_object('files', jsonb_build_array(jsonb_build_object('name', r.fname, 'bytes', r.bytes)))
FROM (
  SELECT gen_random_uuid() AS id, u.id AS user_id, u.v, k,
         1 + ((u.v * 7 + k) % (SELECT count(*) FROM seed_published)) AS p,
         CASE WHEN (u.v + k) % 17 = 0 THEN 'failed' WHEN (u.v + k) % 53 = 1 THEN 'timed_out'
              ELSE 'succeeded' END AS status,
         least(now() - interval '1 minute',
               greatest(u.created_at + interval '1 minute',
                        u.last_login_at - make_interval(days => ((k - 1) * (1 + u.v % 9))::int))
               + make_interval(mins => (2 + k)::int)) AS at,
         (ARRAY['elevlista.xlsx', 'narvaro_v12.csv', 'provresultat.xlsx', 'klass7b.csv', 'omdomen.docx'])[1 + ((u.v + k) % 5)::int] AS fname,
         4096 + (u.v * k * 7919) % 900000 AS bytes
  FROM seed_users u
  CROSS JOIN LATERAL generate_series(1, CASE WHEN u.v % 5 = 0 THEN 2 ELSE 1 END) AS k
  WHERE u.runs_tools
) r
JOIN seed_published p ON p.p = r.p;

INSERT INTO tool_runs (id, tool_id, version_id, context, requested_by_user_id, status,
                       requested_at, started_at, finished_at, workdir_path, input_filename,
                       input_size_bytes, source_kind, curated_app_id, input_manifest)
SELECT r.id, 'd25123a9-0528-5890-8055-3bfb0228e49f', NULL, 'production', r.user_id, 'succeeded',
       r.at, r.at, r.at + interval '1 second', r.id::text, NULL, 0, 'curated_app', 'demo.counter',
       '{"files": []}'::jsonb
FROM (SELECT gen_random_uuid() AS id, id AS user_id,
             least(now() - interval '1 minute', last_login_at + interval '10 minutes') AS at
      FROM seed_users WHERE runs_tools AND v % 11 = 4) r;

INSERT INTO tool_runs (id, tool_id, version_id, context, requested_by_user_id, status,
                       requested_at, started_at, finished_at, workdir_path, input_filename,
                       input_size_bytes, source_kind, input_manifest)
SELECT r.id, r.tool_id, r.version_id, 'sandbox', r.creator, 'succeeded',
       r.at, r.at + interval '1 second', r.at + interval '3 seconds', r.id::text, 'testdata.csv', 2048,
       'tool_version', '{"files": [{"name": "testdata.csv", "bytes": 2048}]}'::jsonb
FROM (SELECT gen_random_uuid() AS id, tool_id, id AS version_id, creator,
             least(now() - interval '1 minute', created_at + interval '30 minutes') AS at
      FROM seed_versions) r;

-- Favourites and interactive tool sessions (all of them go with the user).
INSERT INTO user_favorite_tools (user_id, tool_id, created_at)
SELECT DISTINCT ON (u.id, p.tool_id) u.id, p.tool_id, u.last_login_at
FROM seed_users u
CROSS JOIN LATERAL (VALUES (0), (5)) AS o(off)
JOIN seed_published p ON p.p = 1 + ((u.v + o.off) % (SELECT count(*) FROM seed_published))
WHERE u.last_login_at IS NOT NULL
  AND (u.v % 8 = 1 OR u.email = 'extern.larare@huleedu.test')
  AND (o.off = 0 OR u.v % 16 = 1);

INSERT INTO user_favorite_apps (user_id, app_id, created_at)
SELECT id, 'demo.counter', last_login_at
FROM seed_users WHERE last_login_at IS NOT NULL AND v % 18 = 1;

INSERT INTO tool_sessions (id, tool_id, user_id, context, state, state_rev, created_at, updated_at)
SELECT gen_random_uuid(), 'd25123a9-0528-5890-8055-3bfb0228e49f', id, 'default',
       jsonb_build_object('count', v % 40), (1 + v % 5)::int, last_login_at, last_login_at + interval '3 minutes'
FROM seed_users WHERE last_login_at IS NOT NULL AND v % 12 = 1;

-- Script suggestions from users, most of them decided by lena.lund.
INSERT INTO script_suggestions (id, submitted_by_user_id, title, description, profession_slugs,
                                category_slugs, created_at, updated_at, status,
                                reviewed_by_user_id, reviewed_at, review_rationale)
SELECT gen_random_uuid(), u.id,
       (ARRAY['Sammanställ frånvaro per lektion', 'Exportera omdömen till PDF', 'Slå ihop två klasslistor',
              'Räkna ut meritvärden', 'Skapa sittplatsschema'])[1 + (u.v % 5)::int],
       'Det vore skönt att slippa göra det här för hand varje termin.',
       ARRAY[(ARRAY['larare', 'specialpedagog', 'skoladministrator', 'rektor'])[1 + (u.v % 4)::int]]::varchar(64)[],
       ARRAY[(ARRAY['lektionsplanering', 'mentorskap', 'administration', 'ovrigt'])[1 + ((u.v / 4) % 4)::int]]::varchar(64)[],
       u.last_login_at, u.last_login_at, s.status,
       CASE WHEN s.status <> 'pending_review' THEN lena.id END,
       CASE WHEN s.status <> 'pending_review' THEN least(now(), u.last_login_at + interval '2 days') END,
       CASE s.status WHEN 'accepted' THEN 'Bra idé, vi bygger den.' WHEN 'denied' THEN 'Finns redan som verktyg.' END
FROM seed_users u
CROSS JOIN (SELECT id FROM users WHERE email = 'lena.lund@skriptoteket.test') lena
CROSS JOIN LATERAL (SELECT (ARRAY['pending_review', 'accepted', 'denied'])[1 + (u.v % 3)::int] AS status) s
WHERE u.last_login_at IS NOT NULL AND u.v % 37 = 1;

INSERT INTO script_suggestion_decisions (id, suggestion_id, decided_by_user_id, decision, rationale,
                                         title, description, profession_slugs, category_slugs, decided_at)
SELECT gen_random_uuid(), s.id, s.reviewed_by_user_id,
       CASE s.status WHEN 'accepted' THEN 'accept' ELSE 'deny' END, s.review_rationale,
       s.title, s.description, s.profession_slugs, s.category_slugs, s.reviewed_at
FROM script_suggestions s WHERE s.status <> 'pending_review';

-- Login events, as the web app's login writes them (geo columns stay empty; it never
-- fills them). Successes: the last login and a few earlier ones within the 90 days the
-- web app keeps events.
INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), u.id, 'success', NULL,
       CASE WHEN e.k = 3 AND u.v % 4 = 0 THEN '78.82.' || (u.v % 256) || '.' || (1 + u.v % 200) ELSE u.ip END,
       u.ua, u.auth_provider, gen_random_uuid(), e.at
FROM seed_users u
CROSS JOIN LATERAL (SELECT k, u.last_login_at - make_interval(days => ((k - 1) * (1 + u.v % 6))::int) AS at
                    FROM generate_series(1, CASE WHEN u.v % 5 = 0 THEN 2 + (u.v / 5) % 2 ELSE 1 END) AS k) e
WHERE u.last_login_at IS NOT NULL
  AND e.at >= u.created_at AND e.at >= now() - interval '90 days';

-- Wrong passwords behind each counter (the fifth one locks the account, and is logged as
-- ACCOUNT_LOCKED), a refused try while locked, and the old typos before a success.
INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), u.id, 'failure',
       CASE WHEN j >= 5 THEN 'ACCOUNT_LOCKED' ELSE 'INVALID_CREDENTIALS' END,
       u.ip, u.ua, u.auth_provider, gen_random_uuid(),
       u.last_failed_login_at - make_interval(secs => ((u.attempts - j) * 40)::int)
FROM seed_users u
CROSS JOIN LATERAL generate_series(1, u.attempts) AS j
WHERE u.attempts > 0 AND u.last_failed_login_at IS NOT NULL;

INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), id, 'failure', 'ACCOUNT_LOCKED', ip, ua, auth_provider, gen_random_uuid(),
       least(now(), last_failed_login_at + interval '2 minutes')
FROM seed_users WHERE attempts >= 5 AND locked_until IS NOT NULL;

INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), id, 'failure', 'INVALID_CREDENTIALS', ip, ua, auth_provider, gen_random_uuid(),
       last_failed_login_at
FROM seed_users
WHERE attempts = 0 AND last_failed_login_at IS NOT NULL AND last_failed_login_at >= now() - interval '90 days';

-- Right password, but the email is not verified yet (the counter is not touched).
INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), id, 'failure', 'EMAIL_NOT_VERIFIED', ip, ua, auth_provider, gen_random_uuid(),
       least(now(), created_at + make_interval(mins => (3 + v % 50)::int))
FROM seed_users
WHERE NOT email_verified AND (gi % 50 = 0 OR email = 'ny.registrerad@skola.se');

-- Deactivated users who still try (known account, so user_id is kept), and the federated
-- account trying a password it does not have (logged with its own provider).
INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), id, 'failure', 'INVALID_CREDENTIALS', ip, ua, auth_provider, gen_random_uuid(),
       greatest(updated_at, now() - make_interval(hours => (1 + v % 300)::int))
FROM seed_users
WHERE (NOT is_active AND v % 100 = 11) OR email = 'extern.larare@huleedu.test';

-- Unknown emails: no user, the provider the login form asked for ('local'), often from a
-- script.
INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), NULL, 'failure', 'INVALID_CREDENTIALS',
       CASE WHEN g % 3 = 0 THEN '185.220.101.' || (1 + g % 250)
            ELSE (ARRAY['194.47.', '90.229.', '81.228.'])[1 + g % 3] || (g % 256) || '.' || (1 + g % 250) END,
       CASE WHEN g % 3 = 0 THEN (ARRAY['python-requests/2.32.3', 'curl/8.5.0', 'Go-http-client/1.1'])[1 + (g / 3) % 3]
            ELSE 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' END,
       'local', gen_random_uuid(),
       now() - make_interval(mins => ((g * 104729) % 129000)::int)
FROM generate_series(1, greatest(20, (SELECT count(*) FROM seed_users) / 50)) AS g;

-- Password spraying (what `sign-ins` names so): one address trying one password on 40
-- accounts within a few minutes, three hours ago.
INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), u.id, 'failure', 'INVALID_CREDENTIALS', '45.155.205.233', 'python-requests/2.32.3',
       'local', gen_random_uuid(), now() - interval '3 hours' + make_interval(secs => (u.rn * 7)::int)
FROM (SELECT id, row_number() OVER (ORDER BY v) AS rn
      FROM seed_users WHERE is_active AND auth_provider = 'local' ORDER BY v LIMIT 40) u;

-- Brute force: one teacher's account tried from 24 addresses over the last four hours.
INSERT INTO login_events (id, user_id, status, failure_code, ip_address, user_agent, auth_provider,
                          correlation_id, created_at)
SELECT gen_random_uuid(), u.id, 'failure', 'INVALID_CREDENTIALS',
       '103.' || (20 + g) || '.' || (g * 7 % 250) || '.' || (1 + g % 200),
       'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
       'local', gen_random_uuid(), now() - make_interval(mins => (g * 10)::int)
FROM (SELECT id FROM seed_users WHERE is_active AND auth_provider = 'local' AND role = 'user' AND gi > 0
      ORDER BY v DESC LIMIT 1) u
CROSS JOIN generate_series(1, 24) AS g;

-- The console's own audit trail: the demo superuser made 200 users contributors.
-- History from before the demo started (weeks back, so an admin trying the demo tells it
-- from the changes they make now).
-- One change (one change id) made from an SSH session, with its reason.
INSERT INTO skriptoteket_admin.admin_audit_log (at, actor_id, actor_email, action, target_id, target_email, before, after,
                             change_id, operator, reason)
SELECT now() - interval '30 days', a.id, a.email, 'set_role', u.id, u.email,
       '{"role": "user"}'::jsonb, jsonb_build_object('role', u.role), c.id,
       '{"os_user": "deploy", "sudo_user": "anna", "ssh_client": "192.0.2.17", "host": "skriptoteket-web1",
         "tool": "skriptoteket-admin 0.1.0"}'::jsonb,
       'Teachers of the autumn course get contributor rights (ticket 4711)'
FROM (SELECT gen_random_uuid() AS id) c,
     (SELECT id, email FROM users WHERE email = 'admin@skriptoteket.test') a,
     (SELECT id, email, role, row_number() OVER (ORDER BY email) AS rn
      FROM users WHERE role = 'contributor' ORDER BY email LIMIT 200) u;

DROP TABLE seed_users, seed_authors, seed_tools, seed_versions, seed_published;
