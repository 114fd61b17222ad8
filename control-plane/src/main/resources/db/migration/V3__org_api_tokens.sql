-- Organization-bound Platform API tokens (reference §4.6 body {"organization": slug}; listed by
-- GET /v1/organizations/{org}/api-tokens). NULL = an unrestricted token (acts in every organization of its user).
ALTER TABLE api_tokens ADD COLUMN organization_id TEXT;
CREATE INDEX api_tokens_org ON api_tokens (organization_id);
