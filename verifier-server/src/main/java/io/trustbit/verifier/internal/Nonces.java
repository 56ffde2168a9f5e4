package io.trustbit.verifier.internal;

import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issued challenge nonces: each is bound to one node, expires, and is accepted at most once. Two stores:
 * the database ({@link Store}: one atomic {@code DELETE} decides, on whichever replica) wherever a database
 * may be shared, and {@link InMemory} for the default embedded H2 file, which only one process can open,
 * so there is exactly one verifier that could accept a nonce.
 */
public interface Nonces {
    void add(String nonceHex, String nodeId, long expiresAt) throws SQLException;

    /** Uses a nonce: only the one caller that removes it may accept it. */
    Store.NonceUse use(String nonceHex, String nodeId, long now) throws SQLException;

    int purgeExpired(long now) throws SQLException;

    /**
     * Nonces of the single process that owns the embedded database. A restart forgets outstanding nonces:
     * evidence answering them is refused (nonce unknown), as after expiry.
     */
    final class InMemory implements Nonces {
        private record Issued(String nodeId, long expiresAt) {}

        /** Outstanding nonces are capped: more than this many unanswered challenges is a flood, refused. */
        static final int MAX_OUTSTANDING = 1_000_000;

        private final ConcurrentHashMap<String, Issued> issued = new ConcurrentHashMap<>();

        @Override
        public void add(String nonceHex, String nodeId, long expiresAt) throws SQLException {
            if (issued.size() >= MAX_OUTSTANDING) {
                throw new SQLException("more than " + MAX_OUTSTANDING + " outstanding nonces");
            }
            if (issued.putIfAbsent(nonceHex, new Issued(nodeId, expiresAt)) != null) {
                throw new SQLException("nonce collision");
            }
        }

        @Override
        public Store.NonceUse use(String nonceHex, String nodeId, long now) {
            // remove() is atomic: of concurrent users of one nonce exactly one gets the entry
            Issued i = issued.remove(nonceHex);
            if (i == null) {
                return Store.NonceUse.UNKNOWN_OR_USED;
            }
            return i.nodeId().equals(nodeId) && i.expiresAt() > now ? Store.NonceUse.OK
                    : Store.NonceUse.EXPIRED_OR_OTHER_NODE;
        }

        @Override
        public int purgeExpired(long now) {
            int before = issued.size();
            issued.values().removeIf(i -> i.expiresAt() <= now);
            return before - issued.size();
        }
    }
}
