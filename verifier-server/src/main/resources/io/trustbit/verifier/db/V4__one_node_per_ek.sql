-- One TPM is one node: each EK (by Name) is held by at most one node id, across replicas and races.
-- A node claims its EK when its AK is activated (the TPM has then proven that it holds the EK); the claim
-- stays while the node is enrolled or revoked (a revoked TPM cannot come back under another id) and is
-- released only when an administrator retires the node (POST /v1/nodes/{id}/retire), which moves the TPM.
CREATE TABLE ek_claims (
    ek_name VARCHAR(200) PRIMARY KEY,
    node_id VARCHAR(128) NOT NULL UNIQUE
);

-- Existing databases: where one EK was activated under several ids, the claim goes to a revoked one first
-- (so that revocation keeps holding), else to the oldest enrollment (then the smallest id); the other
-- enrolled ids of that EK are retired (docs/verifier.md "Enrollment: one TPM, one node").
INSERT INTO ek_claims (ek_name, node_id)
SELECT n.ek_name, n.node_id FROM nodes n
WHERE n.status IN ('enrolled', 'revoked')
  AND NOT EXISTS (
    SELECT 1 FROM nodes o
    WHERE o.ek_name = n.ek_name AND o.node_id <> n.node_id AND o.status IN ('enrolled', 'revoked')
      AND ((CASE WHEN o.status = 'revoked' THEN 0 ELSE 1 END) < (CASE WHEN n.status = 'revoked' THEN 0 ELSE 1 END)
        OR ((CASE WHEN o.status = 'revoked' THEN 0 ELSE 1 END) = (CASE WHEN n.status = 'revoked' THEN 0 ELSE 1 END)
          AND (o.created_at < n.created_at OR (o.created_at = n.created_at AND o.node_id < n.node_id)))));

UPDATE nodes SET status = 'retired'
WHERE status = 'enrolled' AND node_id NOT IN (SELECT node_id FROM ek_claims);
