-- Node ids follow one rule everywhere (docs/formats.md "Node ids"): up to 128 characters.
-- SET DATA TYPE is accepted by both H2 2.x and PostgreSQL.
ALTER TABLE nodes ALTER COLUMN node_id SET DATA TYPE VARCHAR(128);
ALTER TABLE enrollment_challenges ALTER COLUMN node_id SET DATA TYPE VARCHAR(128);
ALTER TABLE nonces ALTER COLUMN node_id SET DATA TYPE VARCHAR(128);
ALTER TABLE verdicts ALTER COLUMN node_id SET DATA TYPE VARCHAR(128);
