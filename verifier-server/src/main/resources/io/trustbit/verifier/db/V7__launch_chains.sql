-- The launch chain each node last proved (docs/verifier.md "Dashboard"): what its verified DRTM event log
-- says about PCRs 17-19 (SLB, VMM, launch type and configuration, guests and their signers), as JSON.
-- For display only: appraisal never reads it. Written when it changes, with the node's verdict.
CREATE TABLE launch_chains (
    node_id     VARCHAR(128) PRIMARY KEY,
    chain       VARCHAR      NOT NULL,
    recorded_at BIGINT       NOT NULL
);
