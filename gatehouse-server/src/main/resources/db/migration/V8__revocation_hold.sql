-- How long every node refuses a revoked credential that verifies by itself (a JWT) or by the
-- backend's word (an introspected token): until held_until, which is the JWT's exp (or, for an
-- introspected token, the re-check interval after the revocation). Each node reads it from the
-- journal, when it starts and as entries arrive, so a token revoked through one node is refused
-- by a new handshake on every other node too. NULL for entries that need no hold: opaque tokens
-- and sessions are refused by their own rows, and USER entries by the user's not-before.
ALTER TABLE revocations ADD COLUMN held_until TIMESTAMP WITH TIME ZONE;
