/**
 * TPM 2.0 structures and the cryptography a verifier needs, in pure Java, safe for hostile input.
 * Nothing here talks to a TPM or uses TSS.Java (which only marshals commands; its reading of responses is
 * never used); all references are to the TCG TPM 2.0 Library
 * Specification, rev. 1.59 (Part 1 Architecture, Part 2 Structures, Part 3 Commands).
 *
 * <h2>Parsing (all throw {@link io.trustbit.attest.tpm2.Tpm2FormatException} naming field and offset)</h2>
 * <ul>
 * <li>{@link io.trustbit.attest.tpm2.TpmsAttest#parse(byte[])} — a quote's TPMS_ATTEST (Part 2 §10.12.12).
 *     Magic must be TPM_GENERATED_VALUE and type TPM_ST_ATTEST_QUOTE, else it does not parse. Gives
 *     qualifiedSigner, extraData (the nonce), {@link io.trustbit.attest.tpm2.ClockInfo}, firmwareVersion,
 *     the signed {@link io.trustbit.attest.tpm2.PcrSelection} and pcrDigest.</li>
 * <li>{@link io.trustbit.attest.tpm2.TpmtSignature#parse(byte[])} — TPMT_SIGNATURE (§11.3.4): ECDSA r/s,
 *     RSASSA, RSAPSS.</li>
 * <li>{@link io.trustbit.attest.tpm2.TpmtPublic#parse(byte[])} (and {@code parseTpm2b} for TPM2B_PUBLIC) —
 *     RSA and ECC public areas (§12.2.4); {@code name()} = nameAlg ‖ H(public area);
 *     {@code toJcaPublicKey()} checks that an ECC point lies on its curve.</li>
 * <li>{@link io.trustbit.attest.tpm2.PcrSelection#parseTpml(byte[])} — TPML_PCR_SELECTION (§10.9.7);
 *     {@code PcrSelection.parse("sha256:0-7,17-23")} for the text form.</li>
 * <li>{@link io.trustbit.attest.tpm2.TpmResponse} — whole TPM responses (Part 1 §18.8–18.10) of every command
 *     the agent sends: header (the one decoder of response codes, also used by the transports), handles,
 *     parameterSize, each command's parameters and the sessions area; a short NV read or a PCR_Read whose
 *     digests do not match its selection is an error.</li>
 * </ul>
 * Every size is checked against the structure's maximum and against the bytes that remain before
 * anything is allocated; trailing bytes are an error.
 *
 * <h2>Checks</h2>
 * <ul>
 * <li>{@link io.trustbit.attest.tpm2.QuoteSignatures#verify} — signature over the TPMS_ATTEST bytes under
 *     the AK, with exactly the AK's scheme and hash (no downgrade); throws on any mismatch.</li>
 * <li>{@link io.trustbit.attest.tpm2.PcrSelection#digest} — the pcrDigest of supplied values in
 *     selection order; the values must match the selection in both directions.</li>
 * <li>{@link io.trustbit.attest.tpm2.AkAttributes#check} — fixedTPM, fixedParent, sensitiveDataOrigin,
 *     restricted, sign set; decrypt clear; a signing scheme present.</li>
 * </ul>
 * What this package does not check, because it needs verifier state: that extraData is a nonce the
 * verifier issued, that qualifiedSigner equals the enrolled AK's Qualified Name (not its Name: a
 * TPMS_ATTEST carries the QN; for trustbit AKs, which are created under the EK, use
 * {@code ak.qualifiedName(ek.qualifiedName(TpmtPublic.ENDORSEMENT_HIERARCHY_QN))}), that clock
 * counters did not go backwards, and that the selection covers what the policy reads.
 *
 * <h2>Credential activation</h2>
 * {@link io.trustbit.attest.tpm2.MakeCredential#make} — TPM2_MakeCredential in software for RSA and
 * ECC EKs (Part 1 §24), with {@link io.trustbit.attest.tpm2.Kdf} (KDFa, KDFe).
 * {@link io.trustbit.attest.tpm2.KeyTemplates} holds the TCG EK templates L-1/L-2 and the AK templates.
 */
package io.trustbit.attest.tpm2;
