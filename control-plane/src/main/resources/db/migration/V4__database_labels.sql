-- Hostname labels '<db>-<org>' are unique across ALL organizations (shop-prod in acme and shop in prod-acme
-- would both be shop-prod-acme). label is stored so a unique index makes the check race-free: two creates in
-- different organizations hold different organization locks, and only the index sees both.
ALTER TABLE databases ADD COLUMN label TEXT;

UPDATE databases SET label = name || '-' || (SELECT o.slug FROM organizations o WHERE o.id = databases.organization_id);

-- Labels that already collided before this migration: the oldest live database keeps its label, the later ones
-- get NULL (never equal in a unique index) and stay unreachable by hostname on the worker, which refuses a second
-- database under one label; the reconciler logs it until an operator deletes or moves one of them.
UPDATE databases SET label = NULL
WHERE deleted_at IS NULL AND EXISTS (
    SELECT 1 FROM databases older
    WHERE older.deleted_at IS NULL AND older.label = databases.label
      AND (older.created_at < databases.created_at
           OR (older.created_at = databases.created_at AND older.id < databases.id)));

CREATE UNIQUE INDEX databases_live_label ON databases (label) WHERE deleted_at IS NULL;
