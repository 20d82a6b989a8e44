-- A database shaped like a live Skriptoteket deployment, as the web app's own (Alembic)
-- migrations leave it: the first migration's users/sessions plus every later column and
-- the tables whose foreign keys to users(id) make deletes cascade, set NULL or fail.
-- The demo database and the tests shaped like production load it before `migrate`.

CREATE TABLE alembic_version (
    version_num varchar(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version (version_num) VALUES ('0042_user_profiles');

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
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT uq_users_auth_provider_external_id UNIQUE (auth_provider, external_id)
);

CREATE TABLE sessions (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    csrf_token varchar(255) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CONSTRAINT pk_sessions PRIMARY KEY (id),
    CONSTRAINT fk_sessions_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_sessions_user_id ON sessions (user_id);

CREATE TABLE user_profiles (
    user_id uuid NOT NULL,
    first_name varchar(100),
    last_name varchar(100),
    display_name varchar(100),
    locale varchar(16) NOT NULL DEFAULT 'sv-SE',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_user_profiles PRIMARY KEY (user_id),
    CONSTRAINT fk_user_profiles_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE tools (
    id uuid NOT NULL,
    slug varchar(128) NOT NULL,
    title varchar(255) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_tools PRIMARY KEY (id),
    CONSTRAINT uq_tools_slug UNIQUE (slug)
);

CREATE TABLE favourites (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    tool_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_favourites PRIMARY KEY (id),
    CONSTRAINT fk_favourites_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_favourites_tool_id_tools FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE
);

CREATE TABLE login_events (
    id bigserial NOT NULL,
    user_id uuid,
    email varchar(255) NOT NULL,
    success boolean NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_login_events PRIMARY KEY (id),
    CONSTRAINT fk_login_events_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE tool_versions (
    id uuid NOT NULL,
    tool_id uuid NOT NULL,
    version integer NOT NULL,
    authored_by uuid NOT NULL,
    reviewed_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_tool_versions PRIMARY KEY (id),
    CONSTRAINT fk_tool_versions_tool_id_tools FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE,
    CONSTRAINT fk_tool_versions_authored_by_users FOREIGN KEY (authored_by) REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT fk_tool_versions_reviewed_by_users FOREIGN KEY (reviewed_by) REFERENCES users (id)
);

CREATE TABLE tool_maintainers (
    tool_id uuid NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_tool_maintainers PRIMARY KEY (tool_id, user_id),
    CONSTRAINT fk_tool_maintainers_tool_id_tools FOREIGN KEY (tool_id) REFERENCES tools (id) ON DELETE CASCADE,
    CONSTRAINT fk_tool_maintainers_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
);
