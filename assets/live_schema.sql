-- The web app's tables as a live deployment has them (the first migration plus later
-- ones), for the demo database and for tests shaped like production. Idempotent.
CREATE TABLE IF NOT EXISTS users (
    id uuid PRIMARY KEY,
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
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT uq_users_auth_provider_external_id UNIQUE (auth_provider, external_id)
);
CREATE TABLE IF NOT EXISTS sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token varchar(255) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS ix_sessions_user_id ON sessions (user_id);
CREATE TABLE IF NOT EXISTS user_profiles (
    user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    first_name varchar(100),
    last_name varchar(100),
    display_name varchar(100),
    locale varchar(16) NOT NULL DEFAULT 'sv-SE',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS user_favourite_tools (
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tool_slug varchar(100) NOT NULL,
    PRIMARY KEY (user_id, tool_slug)
);
CREATE TABLE IF NOT EXISTS login_events (
    id bigserial PRIMARY KEY,
    user_id uuid REFERENCES users(id) ON DELETE SET NULL,
    at timestamptz NOT NULL DEFAULT now(),
    success boolean NOT NULL
);
CREATE TABLE IF NOT EXISTS tool_versions (
    id uuid PRIMARY KEY,
    tool_slug varchar(100) NOT NULL,
    created_by_user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    reviewed_by_user_id uuid REFERENCES users(id)
);
CREATE TABLE IF NOT EXISTS tool_maintainers (
    tool_slug varchar(100) NOT NULL,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    PRIMARY KEY (tool_slug, user_id)
);
