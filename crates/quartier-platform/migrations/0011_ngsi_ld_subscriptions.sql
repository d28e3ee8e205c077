-- NGSI-LD subscriptions (CIM 009 5.8): the subscription as its writer gave it (validated, without
-- the read-only members), its owner, and how the sending went. The notifier keeps the active
-- ones in memory; this table is what survives a restart.
--
-- `owner` is the writer's account name (`''` on a platform started with `--open-writes`): a
-- writer lists and changes only its own subscriptions.
CREATE TABLE ngsi_ld_subscriptions (
    id                  TEXT PRIMARY KEY,
    owner               TEXT NOT NULL,
    data                TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    times_sent          INTEGER NOT NULL DEFAULT 0,
    last_notification   TEXT,
    last_success        TEXT,
    last_failure        TEXT,
    -- 'ok' or 'failed', NULL until the first notification.
    notification_status TEXT
) STRICT;

-- A writer's subscriptions, paged in id order.
CREATE INDEX ngsi_ld_subscriptions_by_owner ON ngsi_ld_subscriptions (owner, id);
