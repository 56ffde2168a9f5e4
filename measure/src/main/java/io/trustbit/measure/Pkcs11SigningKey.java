package io.trustbit.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.TokenException;
import org.xipki.pkcs11.wrapper.TokenInfo;

/**
 * An Ed25519 image signing key held in a PKCS#11 token (PKCS#11 3.0, §2.3.5 "Edwards Elliptic curve", mechanisms
 * CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA). The private value never leaves the token: {@link #generate} asks
 * for CKA_SENSITIVE and not CKA_EXTRACTABLE, and {@link #open} refuses a key the token reports otherwise.
 *
 * <p>Every signature is checked against the token's public key before it is returned, so a public object that
 * does not belong to the private key fails here and not later at a node.
 */
public final class Pkcs11SigningKey implements ManifestSigner, AutoCloseable {
    /** The environment variable that may hold the token's user PIN. */
    public static final String PIN_ENV = "TRUSTBIT_PKCS11_PIN";
    /** The environment variable naming the PKCS#11 module when the URI has no module-path. */
    public static final String MODULE_ENV = "TRUSTBIT_PKCS11_MODULE";
    /** DER of the object identifier id-Ed25519 (RFC 8410, §3), the CKA_EC_PARAMS of an Ed25519 key. */
    private static final byte[] ED25519_PARAMS = {0x06, 0x03, 0x2B, 0x65, 0x70};
    private static final int MAX_PIN_FILE = 256;

    private final PKCS11Module module;
    private final Session session;
    private final long privateKey;
    private final Ed25519PublicKey publicKey;

    private Pkcs11SigningKey(PKCS11Module module, Session session, long privateKey, Ed25519PublicKey publicKey) {
        this.module = module;
        this.session = session;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A PKCS#11 key could not be made or used: the message says which step and, for a token error, its CKR code. */
    public static final class Pkcs11KeyException extends Exception {
        public Pkcs11KeyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The user PIN: from the URI's pin-source file, else from {@code pinFile}, else from {@link #PIN_ENV}; the first
     * line of a file, without its line end. Never from a command-line argument.
     */
    public static char[] pin(Pkcs11Uri uri, Path pinFile, Map<String, String> env) throws Pkcs11KeyException {
        Path file = uri.pinFile().orElse(pinFile);
        if (file != null) {
            try {
                if (Files.size(file) > MAX_PIN_FILE) {
                    throw new Pkcs11KeyException(file + ": a PIN file holds at most " + MAX_PIN_FILE + " bytes", null);
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                String line = end < 0 ? text : text.substring(0, end);
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                if (line.isEmpty()) {
                    throw new Pkcs11KeyException(file + ": the PIN file's first line is empty", null);
                }
                return line.toCharArray();
            } catch (IOException e) {
                throw new Pkcs11KeyException(file + ": cannot read the PIN file: " + e.getMessage(), e);
            }
        }
        String value = env.get(PIN_ENV);
        if (value == null || value.isEmpty()) {
            throw new Pkcs11KeyException("no PIN for " + uri + ": give pin-source=file:PATH in the URI, --pin-file, or " + PIN_ENV, null);
        }
        return value.toCharArray();
    }

    /** The module named by the URI's module-path, else by {@link #MODULE_ENV}. */
    public static Path modulePath(Pkcs11Uri uri, Map<String, String> env) throws Pkcs11KeyException {
        if (uri.modulePath().isPresent()) {
            return uri.modulePath().get();
        }
        String value = env.get(MODULE_ENV);
        if (value == null || value.isEmpty()) {
            throw new Pkcs11KeyException("no PKCS#11 module for " + uri + ": give module-path=PATH in the URI or set " + MODULE_ENV, null);
        }
        return Path.of(value);
    }

    /**
     * Generates an Ed25519 key pair inside the token as a persistent object labelled {@code uri.object()}: the
     * private key sensitive, not extractable, usable only to sign. Refuses when an object with that label exists.
     */
    public static Pkcs11SigningKey generate(Pkcs11Uri uri, Path modulePath, char[] pin) throws Pkcs11KeyException {
        Session session = null;
        PKCS11Module module = open(modulePath);
        try {
            session = login(module, uri, pin);
            if (find(session, PKCS11Constants.CKO_PRIVATE_KEY, uri).length != 0
                    || find(session, PKCS11Constants.CKO_PUBLIC_KEY, uri).length != 0) {
                throw new Pkcs11KeyException(uri + ": the token already holds a key with this label; choose another object=", null);
            }
            byte[] id = uri.id().orElseGet(() -> {
                byte[] b = new byte[16];
                new SecureRandom().nextBytes(b);
                return b;
            });
            KeyPairTemplate t = new KeyPairTemplate(PKCS11Constants.CKK_EC_EDWARDS).token(true).id(id)
                    .label(uri.object()).signVerify(true);
            t.publicKey().ecParams(ED25519_PARAMS).private_(false);
            t.privateKey().private_(true).sensitive(true).extractable(false);
            PKCS11KeyPair pair = session.generateKeyPair(new Mechanism(PKCS11Constants.CKM_EC_EDWARDS_KEY_PAIR_GEN), t);
            return checked(module, session, pair.getPrivateKey(), readPublic(session, pair.getPublicKey(), uri), uri);
        } catch (TokenException e) {
            close(module, session);
            throw new Pkcs11KeyException(uri + ": key generation failed in the token: " + describe(e), e);
        } catch (Pkcs11KeyException | RuntimeException e) {
            close(module, session);
            throw e;
        }
    }

    /** Opens the token's key named by {@code uri}: exactly one private and one public Ed25519 object must match. */
    public static Pkcs11SigningKey open(Pkcs11Uri uri, Path modulePath, char[] pin) throws Pkcs11KeyException {
        Session session = null;
        PKCS11Module module = open(modulePath);
        try {
            session = login(module, uri, pin);
            long priv = single(find(session, PKCS11Constants.CKO_PRIVATE_KEY, uri), "private key", uri);
            long pub = single(find(session, PKCS11Constants.CKO_PUBLIC_KEY, uri), "public key", uri);
            return checked(module, session, priv, readPublic(session, pub, uri), uri);
        } catch (TokenException e) {
            close(module, session);
            throw new Pkcs11KeyException(uri + ": " + describe(e), e);
        } catch (Pkcs11KeyException | RuntimeException e) {
            close(module, session);
            throw e;
        }
    }

    private static Pkcs11SigningKey checked(PKCS11Module module, Session session, long priv, Ed25519PublicKey pub,
            Pkcs11Uri uri) throws TokenException, Pkcs11KeyException {
        AttributeVector a = session.getAttrValues(priv, PKCS11Constants.CKA_KEY_TYPE, PKCS11Constants.CKA_SENSITIVE,
                PKCS11Constants.CKA_EXTRACTABLE);
        if (!Long.valueOf(PKCS11Constants.CKK_EC_EDWARDS).equals(a.keyType())) {
            throw new Pkcs11KeyException(uri + ": not an Edwards-curve (Ed25519) key", null);
        }
        if (!Boolean.TRUE.equals(a.sensitive()) || !Boolean.FALSE.equals(a.extractable())) {
            throw new Pkcs11KeyException(uri + ": the token reports the private key as readable (CKA_SENSITIVE false or CKA_EXTRACTABLE true); refusing it", null);
        }
        return new Pkcs11SigningKey(module, session, priv, pub);
    }

    private static PKCS11Module open(Path modulePath) throws Pkcs11KeyException {
        if (!Files.isRegularFile(modulePath)) {
            throw new Pkcs11KeyException(modulePath + ": no such PKCS#11 module", null);
        }
        try {
            PKCS11Module m = PKCS11Module.getInstance(modulePath.toString());
            try {
                m.initialize();
            } catch (PKCS11Exception e) {
                if (e.getErrorCode() != PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                    throw e;
                }
            }
            return m;
        } catch (IOException | TokenException e) {
            throw new Pkcs11KeyException(modulePath + ": cannot load the PKCS#11 module: " + describe(e), e);
        } catch (IllegalAccessError e) {
            throw new Pkcs11KeyException("the JVM does not export sun.security.pkcs11.wrapper: run with "
                    + "--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED", e);
        }
    }

    /** Finds the token whose label (and serial, when given) the URI names, opens a read-write session, logs in. */
    private static Session login(PKCS11Module module, Pkcs11Uri uri, char[] pin) throws TokenException, Pkcs11KeyException {
        Token found = null;
        for (Slot slot : module.getSlotList(true)) {
            Token token = slot.getToken();
            TokenInfo info = token.getTokenInfo();
            if (info.getLabel().strip().equals(uri.token())
                    && uri.serial().map(s -> s.equals(info.getSerialNumber().strip())).orElse(true)) {
                if (found != null) {
                    throw new Pkcs11KeyException(uri + ": more than one token matches; add serial= to the URI", null);
                }
                found = token;
            }
        }
        if (found == null) {
            throw new Pkcs11KeyException(uri + ": no token labelled " + uri.token(), null);
        }
        Session session = found.openSession(true);
        try {
            session.login(PKCS11Constants.CKU_USER, pin);
        } catch (PKCS11Exception e) {
            if (e.getErrorCode() != PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN) {
                session.closeSession();
                throw new Pkcs11KeyException(uri + ": login failed (wrong PIN?): " + describe(e), e);
            }
        }
        return session;
    }

    private static long[] find(Session session, long objectClass, Pkcs11Uri uri) throws TokenException {
        AttributeVector template = new AttributeVector().class_(objectClass).label(uri.object());
        uri.id().ifPresent(template::id);
        session.findObjectsInit(template);
        try {
            return session.findObjects(2);
        } finally {
            session.findObjectsFinal();
        }
    }

    private static long single(long[] handles, String what, Pkcs11Uri uri) throws Pkcs11KeyException {
        if (handles.length == 0) {
            throw new Pkcs11KeyException(uri + ": no " + what + " with this label" + (uri.id().isPresent() ? " and id" : ""), null);
        }
        if (handles.length > 1) {
            throw new Pkcs11KeyException(uri + ": more than one " + what + " matches; add id= to the URI", null);
        }
        return handles[0];
    }

    /** CKA_EC_POINT of an Ed25519 public key: the 32-byte point, DER OCTET STRING-wrapped or raw (tokens differ). */
    private static Ed25519PublicKey readPublic(Session session, long handle, Pkcs11Uri uri) throws TokenException, Pkcs11KeyException {
        AttributeVector a = session.getAttrValues(handle, PKCS11Constants.CKA_EC_POINT);
        byte[] point = a.ecPoint();
        if (point != null && point.length == 34 && point[0] == 0x04 && point[1] == 32) {
            point = Arrays.copyOfRange(point, 2, 34);
        }
        if (point == null || point.length != 32) {
            throw new Pkcs11KeyException(uri + ": the public key's CKA_EC_POINT is not an Ed25519 point", null);
        }
        return Ed25519PublicKey.fromRaw(point);
    }

    @Override
    public Ed25519PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public int signatureLength() {
        return 64;
    }

    /** An Ed25519 signature made by the token (CKM_EDDSA without parameters: pure Ed25519, RFC 8032 §5.1.6). */
    @Override
    public byte[] sign(byte[] message) {
        byte[] sig;
        try {
            synchronized (session) {
                session.signInit(new Mechanism(PKCS11Constants.CKM_EDDSA), privateKey);
                sig = session.sign(message);
            }
        } catch (TokenException e) {
            throw new java.io.UncheckedIOException(new IOException("the token refused to sign: " + describe(e), e));
        }
        if (sig == null || sig.length != 64 || !publicKey.verify(message, sig)) {
            throw new java.io.UncheckedIOException(new IOException(
                    "the token's signature does not verify under its public key (wrong public object?)"));
        }
        return sig;
    }

    /** The session handle and key handle, for tests that try to read the private value through the same session. */
    Session session() {
        return session;
    }

    long privateKeyHandle() {
        return privateKey;
    }

    @Override
    public void close() {
        close(module, session);
    }

    /**
     * Ends the session (and with it the login). The module stays initialized: the JDK's wrapper keeps one
     * instance per library for the life of the JVM and cannot initialize it again after C_Finalize.
     */
    private static void close(PKCS11Module module, Session session) {
        try {
            if (session != null) {
                session.closeSession();
            }
        } catch (TokenException e) {
            // best effort: the token ends the session when the process exits anyway
        }
    }

    private static String describe(Exception e) {
        if (e instanceof PKCS11Exception p) {
            return String.format("CKR 0x%X %s", p.getErrorCode(), p.getMessage() == null ? "" : p.getMessage());
        }
        return String.valueOf(e.getMessage());
    }

    @Override
    public String toString() {
        return "Pkcs11SigningKey[keyId=" + publicKey.keyIdHex() + "]";
    }
}
