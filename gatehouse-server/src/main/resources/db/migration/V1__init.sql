-- Gatehouse's own tables. Portable SQL: runs unchanged on H2 2.x and PostgreSQL 15.
-- Instants are TIMESTAMP WITH TIME ZONE (written in UTC, microsecond precision).
-- Lists (roles, channels, scopes) are JSON arrays of strings in text columns.

-- A local account. id is the user name; password_hash is an Argon2id PHC string.
CREATE TABLE users (
    id            VARCHAR(255)             NOT NULL PRIMARY KEY,
    roles         VARCHAR(4000)            NOT NULL,
    password_hash VARCHAR(255)             NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- An opaque access token (ght_...). Only the SHA-256 of the token is kept; prefix is the
-- lookup key shown in listings. user_id is not a foreign key: tokens may be issued for users
-- that live outside this table, and removing a local user deletes its tokens explicitly.
CREATE TABLE tokens (
    prefix       VARCHAR(64)              NOT NULL PRIMARY KEY,
    hash         BYTEA                    NOT NULL,
    user_id      VARCHAR(255)             NOT NULL,
    user_name    VARCHAR(255)             NOT NULL,
    roles        VARCHAR(4000)            NOT NULL,
    channels     VARCHAR(65535)           NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE
);

CREATE INDEX tokens_by_user ON tokens (user_id, created_at);

-- A server API key (ghk_...), stored like tokens: prefix plus SHA-256.
CREATE TABLE api_keys (
    prefix     VARCHAR(64)              NOT NULL PRIMARY KEY,
    hash       BYTEA                    NOT NULL,
    name       VARCHAR(255)             NOT NULL,
    scopes     VARCHAR(4000)            NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);
