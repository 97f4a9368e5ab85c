-- One id per identity source (docs/protocol.md, "User ids"): a local user's id is now
-- 'local:' || name. Tokens minted for local users (gatehouse token create, or POST /api/v1/tokens
-- with a local user's credential) carried the bare name; those whose user_id names an existing
-- local user are moved to the local id, so they keep working and stay the local user's. A token
-- that an application user of the same id minted cannot be told apart from a local user's: it
-- goes to the local user too (it was already treated as theirs: user remove deleted it).
-- Sessions keep the user name (sessions.user_id refers to users.id).
UPDATE tokens SET user_id = 'local:' || user_id WHERE user_id IN (SELECT id FROM users);

-- The credential a token was minted with (POST /api/v1/tokens): a session or token prefix, or a
-- JWT's fingerprint; NULL for tokens minted by the CLI and for tokens older than this column.
-- Revoking a credential revokes every token minted from it, transitively.
ALTER TABLE tokens ADD COLUMN minted_from VARCHAR(64);
CREATE INDEX tokens_by_minted_from ON tokens (minted_from);

-- When a revocation was made is what a per-user not-before needs (JWTs Gatehouse minted for a
-- removed local user stop working). created_at exists since V2; this index lets a starting node
-- read the recent USER entries without a scan of the journal.
CREATE INDEX revocations_by_kind ON revocations (kind, created_at);
