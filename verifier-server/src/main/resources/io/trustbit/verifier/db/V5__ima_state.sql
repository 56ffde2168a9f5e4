-- Where the appraisal of each node's IMA measurement list stands in the node's current boot (docs/verifier.md
-- "IMA"): the boot (the quote's resetCount/restartCount), the next entry and its byte offset in the kernel's list,
-- and the running PCR 10 per bank after every entry before it (ImaReplayState.encode, base64). Written only after
-- an appraisal in which every new entry replayed to the quoted PCR 10 and passed the runtime policy; a quote of
-- another boot starts again from entry 0.
CREATE TABLE ima_state (
    node_id       VARCHAR(128) PRIMARY KEY,
    reset_count   BIGINT       NOT NULL,
    restart_count BIGINT       NOT NULL,
    next_entry    BIGINT       NOT NULL,
    byte_offset   BIGINT       NOT NULL,
    pcr           VARCHAR(400) NOT NULL,
    updated_at    BIGINT       NOT NULL
);
