-- Sockets at the default `/socket.io/` path name no account: the Worker finds
-- it from the token (notifications/socket-route.ts). Tokens are unique in
-- practice (>= 128 random bits), so this index makes that one lookup.
CREATE INDEX accesses_token ON accesses (token);
