-- Attachments: each account gets a secret from which the attachments'
-- read tokens are derived (an HMAC per access and file).
ALTER TABLE users ADD COLUMN files_secret TEXT;
UPDATE users SET files_secret = lower(hex(randomblob(32))) WHERE files_secret IS NULL;
