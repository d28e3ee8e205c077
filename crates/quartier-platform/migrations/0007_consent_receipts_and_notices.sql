-- Each consent event gets its own receipt id (a receipt attests one event; the record id names
-- the whole history) and the language of the notice the resident was shown. The notice's id and
-- version follow from the purpose and the event's `purpose_version`.
ALTER TABLE consent_events ADD COLUMN receipt_id TEXT;
ALTER TABLE consent_events ADD COLUMN notice_language TEXT;

-- Events recorded before this migration get a receipt id; the language they were shown in was
-- not recorded and stays unknown (NULL). Adding an identifier rewrites no evidence, so the
-- append-only rule is lifted for this statement only.
DROP TRIGGER consent_events_no_update;
UPDATE consent_events SET receipt_id = lower(hex(randomblob(16))) WHERE receipt_id IS NULL;
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent events are append-only');
END;

CREATE UNIQUE INDEX consent_events_by_receipt ON consent_events (receipt_id);
