-- node_guests (V8) and launch_chains (V7) both recorded a node's last verified launch: launch_chains holds the whole
-- chain, guests included (name, decision, signer key id, security version, Linux or not), and the node list now
-- reads the launched guests from it (docs/verifier.md "Signer rotation and revocation"). Nothing moves: a node
-- with launched guests in node_guests had them from a verified DRTM log, whose chain the same attestation wrote
-- into launch_chains (unless that write failed, which was logged: such a node shows no nextAttestationFails until
-- its next attestation writes its chain). The chain is written in the verdict's transaction from now on.
DROP TABLE node_guests;
