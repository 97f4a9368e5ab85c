-- Admin actions in the access log (SPEC §8, docs/protocol.md "Admin API"): an admin user's action
-- through the HTTP API with a cookie session (disconnect, revoke, publish, broadcast, webhook
-- retry) is a row of its own, naming the admin in user_id, with method cookie, outcome ACCEPTED,
-- the session's token_fingerprint, and what was done: action (its name, such as
-- connection.disconnect) and target (what it was done to: a connection id, a user id and token
-- prefix, channels, an event id). Both are NULL on the rows of upgrade attempts. Text values are
-- cut to their column's width on write.
ALTER TABLE access_log ADD COLUMN action VARCHAR(64);
ALTER TABLE access_log ADD COLUMN target VARCHAR(512);
