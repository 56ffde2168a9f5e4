-- The guests each node ran at its last appraised attestation (from verified PCR 19 records): one line
-- "name signerKeyId securityVersion linux" per launched guest. The node list reads them against the current
-- policy to show which nodes still run guests of a retired signer or below the fleet's minimum security
-- version, and so will be contraindicated at their next attestation (docs/verifier.md "Signer rotation").
CREATE TABLE node_guests (
    node_id    VARCHAR(128) PRIMARY KEY,
    guests     VARCHAR      NOT NULL,
    updated_at BIGINT       NOT NULL
);
