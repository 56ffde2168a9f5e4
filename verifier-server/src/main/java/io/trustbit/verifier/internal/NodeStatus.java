package io.trustbit.verifier.internal;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A node's enrollment state ({@code nodes.status}): pending until activation, then enrolled; revoked forever;
 * retired by an administrator who moved its TPM to another id (docs/verifier.md "One TPM, one node").
 */
public enum NodeStatus {
    PENDING("pending"),
    ENROLLED("enrolled"),
    REVOKED("revoked"),
    RETIRED("retired");

    private final String wire;

    NodeStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** The state a stored row names; an unknown name is an error. */
    public static NodeStatus of(Store.Node node) {
        return of(node.nodeId(), node.status());
    }

    /** The state a stored {@code status} column names, for the node {@code nodeId}; an unknown name is an error. */
    static NodeStatus of(String nodeId, String status) {
        for (NodeStatus s : values()) {
            if (s.wire.equals(status)) {
                return s;
            }
        }
        throw new IllegalStateException("node " + nodeId + " has unknown status " + status);
    }
}
