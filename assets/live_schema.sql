-- Stand-in for a live Skriptoteket database at the web app's alembic head
-- (0027_tool_run_jobs_execution_queue). The web app's migrations own every table here;
-- this file only reproduces, for the demo and the tests, what they leave behind:
--   * users, sessions, user_profiles, login_events and email_verification_tokens with all
--     their columns, defaults, and constraint and index names;
--   * every table holding one of the 22 foreign keys to users(id), each key with the name,
--     ON DELETE action and nullability it has in production. Their other columns are cut
--     down to what a real row needs (NOT NULL columns kept, most optional ones dropped).
-- Constraints the migrations leave unnamed carry PostgreSQL's default names
-- (<table>_pkey, <table>_<column>_fkey, <table>_<column>_key); they are written out so the
-- fixture does not depend on that rule. Load it into an empty database only.
-- Not reproduced: catalog/taxonomy tables, tool_session_messages/turns and tool_run_jobs
-- (none of them references users).

CREATE TABLE alembic_version (
    version_num varchar(64) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version (version_num) VALUES ('0027_tool_run_jobs_execution_queue');

-- users: columns in the order the migrations add them.
CREATE TABLE users (
    id uuid NOT NULL,
    email varchar(255) NOT NULL,
    role varchar(32) NOT NULL,
    auth_provider varchar(32) NOT NULL,
    external_id varchar(255),
    password_hash varchar(255),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    email_verified boolean NOT NULL DEFAULT false,
    failed_login_attempts integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    last_login_at timestamptz,
    last_failed_login_at timestamptz,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT uq_users_auth_provider_external_id UNIQUE (auth_provider, external_id)
);
CREATE INDEX ix_users_email ON users (email);
CREATE INDEX ix_users_external_id ON users (external_id);

CREATE TABLE sessions (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    csrf_token varchar(255) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_sessions_user_id ON sessions (user_id);
CREATE INDEX ix_sessions_expires_at ON sessions (expires_at);

CREATE TABLE user_profiles (
    user_id uuid NOT NULL,
    first_name varchar(100),
    last_name varchar(100),
    display_name varchar(100),
    locale varchar(16) NOT NULL DEFAULT 'sv-SE',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    allow_remote_fallback boolean,
    CONSTRAINT user_profiles_pkey PRIMARY KEY (user_id),
    CONSTRAINT fk_user_profiles_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE login_events (
    id uuid NOT NULL,
    user_id uuid,
    status varchar(16) NOT NULL,
    failure_code varchar(64),
    ip_address varchar(64),
    user_agent text,
    auth_provider varchar(32) NOT NULL,
    correlation_id uuid,
    geo_country_code varchar(8),
    geo_region varchar(128),
    geo_city varchar(128),
    geo_latitude double precision,
    geo_longitude double precision,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT login_events_pkey PRIMARY KEY (id),
    CONSTRAINT login_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX ix_login_events_user_id ON login_events (user_id);
CREATE INDEX ix_login_events_created_at ON login_events (created_at);
CREATE INDEX ix_login_events_status ON login_events (status);

CREATE TABLE email_verification_tokens (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    token varchar(64) NOT NULL,
    expires_at timestamptz NOT NULL,
    verified_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT email_verification_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT email_verification_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT email_verification_tokens_token_key UNIQUE (token)
);
CREATE INDEX ix_email_verification_tokens_user_id ON email_verification_tokens (user_id);
CREATE INDEX ix_email_verification_tokens_token ON email_verification_tokens (token);
CREATE INDEX ix_email_verification_tokens_expires_at ON email_verification_tokens (expires_at);

-- Tools and their versions. tools.active_version_id's key is added after tool_versions.
CREATE TABLE tools (
    id uuid NOT NULL,
    slug varchar(128) NOT NULL,
    title varchar(255) NOT NULL,
    summary text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    is_published boolean NOT NULL DEFAULT false,
    active_version_id uuid,
    owner_user_id uuid NOT NULL,
    CONSTRAINT tools_pkey PRIMARY KEY (id),
    CONSTRAINT uq_tools_slug UNIQUE (slug),
    CONSTRAINT fk_tools_owner_user_id_users FOREIGN KEY (owner_user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE INDEX ix_tools_slug ON tools (slug);
CREATE INDEX ix_tools_is_published ON tools (is_published);
CREATE INDEX ix_tools_active_version_id ON tools (active_version_id);
CREATE INDEX ix_tools_owner_user_id ON tools (owner_user_id);

CREATE TABLE tool_versions (
    id uuid NOT NULL,
    tool_id uuid NOT NULL,
    version_number integer NOT NULL,
    state varchar(32) NOT NULL,
    source_code text NOT NULL,
    entrypoint varchar(128) NOT NULL,
    content_hash varchar(64) NOT NULL,
    derived_from_version_id uuid,
    created_by_user_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    submitted_for_review_by_user_id uuid,
    submitted_for_review_at timestamptz,
    reviewed_by_user_id uuid,
    reviewed_at timestamptz,
    published_by_user_id uuid,
    published_at timestamptz,
    change_summary text,
    review_note text,
    input_schema jsonb NOT NULL DEFAULT '[]'::jsonb,
    CONSTRAINT tool_versions_pkey PRIMARY KEY (id),
    CONSTRAINT uq_tool_versions_tool_id_version_number UNIQUE (tool_id, version_number),
    CONSTRAINT tool_versions_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE,
    CONSTRAINT tool_versions_derived_from_version_id_fkey FOREIGN KEY (derived_from_version_id) REFERENCES tool_versions (id) ON DELETE SET NULL,
    CONSTRAINT tool_versions_created_by_user_id_fkey FOREIGN KEY (created_by_user_id) REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT tool_versions_submitted_for_review_by_user_id_fkey FOREIGN KEY (submitted_for_review_by_user_id) REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT tool_versions_reviewed_by_user_id_fkey FOREIGN KEY (reviewed_by_user_id) REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT tool_versions_published_by_user_id_fkey FOREIGN KEY (published_by_user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE INDEX ix_tool_versions_tool_id ON tool_versions (tool_id);
CREATE INDEX ix_tool_versions_state ON tool_versions (state);
CREATE INDEX ix_tool_versions_created_at ON tool_versions (created_at);
CREATE UNIQUE INDEX ux_tool_versions_one_active_per_tool ON tool_versions (tool_id) WHERE state = 'active';

ALTER TABLE tools ADD CONSTRAINT fk_tools_active_version_id_tool_versions
    FOREIGN KEY (active_version_id) REFERENCES tool_versions (id) ON DELETE SET NULL;

-- tool_runs.tool_id has had no foreign key since curated apps (their runs have no tool row).
CREATE TABLE tool_runs (
    id uuid NOT NULL,
    tool_id uuid NOT NULL,
    version_id uuid,
    context varchar(16) NOT NULL,
    requested_by_user_id uuid NOT NULL,
    status varchar(16) NOT NULL,
    started_at timestamptz DEFAULT now(),
    finished_at timestamptz,
    workdir_path text NOT NULL,
    input_filename varchar(255),
    input_size_bytes bigint NOT NULL,
    artifacts_manifest jsonb NOT NULL DEFAULT '{}'::jsonb,
    error_summary text,
    source_kind varchar(32) NOT NULL DEFAULT 'tool_version',
    curated_app_id varchar(128),
    input_manifest jsonb NOT NULL DEFAULT '{"files":[]}'::jsonb,
    input_values jsonb NOT NULL DEFAULT '{}'::jsonb,
    requested_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tool_runs_pkey PRIMARY KEY (id),
    CONSTRAINT tool_runs_version_id_fkey FOREIGN KEY (version_id) REFERENCES tool_versions (id),
    CONSTRAINT tool_runs_requested_by_user_id_fkey FOREIGN KEY (requested_by_user_id) REFERENCES users (id) ON DELETE RESTRICT
);
-- (Its indexes on tool_id, version_id, status, context, started_at and requested_at are
-- left out: only the one on the users column matters here, and the demo inserts faster.)
CREATE INDEX ix_tool_runs_requested_by_user_id ON tool_runs (requested_by_user_id);

CREATE TABLE tool_maintainers (
    tool_id uuid NOT NULL,
    user_id uuid NOT NULL,
    CONSTRAINT pk_tool_maintainers PRIMARY KEY (tool_id, user_id),
    CONSTRAINT tool_maintainers_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE,
    CONSTRAINT tool_maintainers_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE INDEX ix_tool_maintainers_tool_id ON tool_maintainers (tool_id);
CREATE INDEX ix_tool_maintainers_user_id ON tool_maintainers (user_id);

CREATE TABLE tool_maintainer_audit_log (
    id uuid NOT NULL,
    tool_id uuid NOT NULL,
    user_id uuid NOT NULL,
    action varchar(16) NOT NULL,
    performed_by_user_id uuid NOT NULL,
    performed_at timestamptz NOT NULL DEFAULT now(),
    reason text,
    CONSTRAINT tool_maintainer_audit_log_pkey PRIMARY KEY (id),
    CONSTRAINT tool_maintainer_audit_log_performed_by_user_id_fkey FOREIGN KEY (performed_by_user_id) REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT tool_maintainer_audit_log_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE,
    CONSTRAINT tool_maintainer_audit_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE INDEX ix_tool_maintainer_audit_log_tool_id ON tool_maintainer_audit_log (tool_id);
CREATE INDEX ix_tool_maintainer_audit_log_user_id ON tool_maintainer_audit_log (user_id);

-- tool_sessions.tool_id lost its foreign key for the same reason as tool_runs.tool_id.
CREATE TABLE tool_sessions (
    id uuid NOT NULL,
    tool_id uuid NOT NULL,
    user_id uuid NOT NULL,
    context text NOT NULL,
    state jsonb NOT NULL DEFAULT '{}'::jsonb,
    state_rev integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tool_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT tool_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT uq_tool_sessions_tool_user_context UNIQUE (tool_id, user_id, context)
);
CREATE INDEX ix_tool_sessions_user_id ON tool_sessions (user_id);

CREATE TABLE user_favorite_tools (
    user_id uuid NOT NULL,
    tool_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_user_favorite_tools PRIMARY KEY (user_id, tool_id),
    CONSTRAINT user_favorite_tools_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_favorite_tools_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE
);
CREATE INDEX ix_user_favorite_tools_user_id ON user_favorite_tools (user_id);
CREATE INDEX ix_user_favorite_tools_tool_id ON user_favorite_tools (tool_id);

CREATE TABLE user_favorite_apps (
    user_id uuid NOT NULL,
    app_id varchar(128) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_user_favorite_apps PRIMARY KEY (user_id, app_id),
    CONSTRAINT user_favorite_apps_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_user_favorite_apps_user_id ON user_favorite_apps (user_id);
CREATE INDEX ix_user_favorite_apps_app_id ON user_favorite_apps (app_id);

CREATE TABLE script_suggestions (
    id uuid NOT NULL,
    submitted_by_user_id uuid NOT NULL,
    title varchar(255) NOT NULL,
    description text NOT NULL,
    profession_slugs varchar(64)[] NOT NULL,
    category_slugs varchar(64)[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status varchar(32) NOT NULL DEFAULT 'pending_review',
    reviewed_by_user_id uuid,
    reviewed_at timestamptz,
    review_rationale text,
    draft_tool_id uuid,
    CONSTRAINT script_suggestions_pkey PRIMARY KEY (id),
    CONSTRAINT script_suggestions_submitted_by_user_id_fkey FOREIGN KEY (submitted_by_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_script_suggestions_reviewed_by_user_id_users FOREIGN KEY (reviewed_by_user_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT fk_script_suggestions_draft_tool_id_tools FOREIGN KEY (draft_tool_id) REFERENCES tools (id) ON DELETE SET NULL
);
CREATE INDEX ix_script_suggestions_submitted_by_user_id ON script_suggestions (submitted_by_user_id);
CREATE INDEX ix_script_suggestions_created_at ON script_suggestions (created_at);
CREATE INDEX ix_script_suggestions_status ON script_suggestions (status);
CREATE INDEX ix_script_suggestions_reviewed_by_user_id ON script_suggestions (reviewed_by_user_id);

CREATE TABLE script_suggestion_decisions (
    id uuid NOT NULL,
    suggestion_id uuid NOT NULL,
    decided_by_user_id uuid NOT NULL,
    decision varchar(16) NOT NULL,
    rationale text NOT NULL,
    title varchar(255) NOT NULL,
    description text NOT NULL,
    profession_slugs varchar(64)[] NOT NULL,
    category_slugs varchar(64)[] NOT NULL,
    created_tool_id uuid,
    decided_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT script_suggestion_decisions_pkey PRIMARY KEY (id),
    CONSTRAINT script_suggestion_decisions_suggestion_id_fkey FOREIGN KEY (suggestion_id) REFERENCES script_suggestions (id) ON DELETE CASCADE,
    CONSTRAINT script_suggestion_decisions_decided_by_user_id_fkey FOREIGN KEY (decided_by_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT script_suggestion_decisions_created_tool_id_fkey FOREIGN KEY (created_tool_id) REFERENCES tools (id) ON DELETE SET NULL
);
CREATE INDEX ix_script_suggestion_decisions_suggestion_id ON script_suggestion_decisions (suggestion_id);
CREATE INDEX ix_script_suggestion_decisions_decided_at ON script_suggestion_decisions (decided_at);

-- draft_locks.tool_id and draft_head_id carry no foreign keys in the web app either.
CREATE TABLE draft_locks (
    tool_id uuid NOT NULL,
    draft_head_id uuid NOT NULL,
    locked_by_user_id uuid NOT NULL,
    forced_by_user_id uuid,
    locked_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CONSTRAINT draft_locks_pkey PRIMARY KEY (tool_id),
    CONSTRAINT draft_locks_locked_by_user_id_fkey FOREIGN KEY (locked_by_user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT draft_locks_forced_by_user_id_fkey FOREIGN KEY (forced_by_user_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX ix_draft_locks_expires_at ON draft_locks (expires_at);
CREATE INDEX ix_draft_locks_draft_head_id ON draft_locks (draft_head_id);
CREATE INDEX ix_draft_locks_locked_by_user_id ON draft_locks (locked_by_user_id);

-- sandbox_snapshots (migration 0020): a draft's frozen copy for a sandbox run. Its creator
-- key is RESTRICT and NOT NULL, so anyone who ever ran a sandbox cannot be deleted.
CREATE TABLE sandbox_snapshots (
    id uuid NOT NULL,
    tool_id uuid NOT NULL,
    draft_head_id uuid NOT NULL,
    created_by_user_id uuid NOT NULL,
    entrypoint varchar(128) NOT NULL,
    source_code text NOT NULL,
    settings_schema jsonb,
    input_schema jsonb,
    usage_instructions text,
    payload_bytes bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CONSTRAINT sandbox_snapshots_pkey PRIMARY KEY (id),
    CONSTRAINT sandbox_snapshots_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE,
    CONSTRAINT sandbox_snapshots_draft_head_id_fkey FOREIGN KEY (draft_head_id) REFERENCES tool_versions (id) ON DELETE CASCADE,
    CONSTRAINT sandbox_snapshots_created_by_user_id_fkey FOREIGN KEY (created_by_user_id) REFERENCES users (id) ON DELETE RESTRICT
);
CREATE INDEX ix_sandbox_snapshots_tool_id ON sandbox_snapshots (tool_id);
CREATE INDEX ix_sandbox_snapshots_draft_head_id ON sandbox_snapshots (draft_head_id);
CREATE INDEX ix_sandbox_snapshots_created_by_user_id ON sandbox_snapshots (created_by_user_id);
CREATE INDEX ix_sandbox_snapshots_expires_at ON sandbox_snapshots (expires_at);
-- tool_runs of a sandbox point at their snapshot (also migration 0020).
ALTER TABLE tool_runs ADD COLUMN snapshot_id uuid;
ALTER TABLE tool_runs ADD CONSTRAINT tool_runs_snapshot_id_fkey FOREIGN KEY (snapshot_id) REFERENCES sandbox_snapshots (id) ON DELETE SET NULL;
CREATE INDEX ix_tool_runs_snapshot_id ON tool_runs (snapshot_id);
