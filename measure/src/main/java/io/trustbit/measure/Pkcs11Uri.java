package io.trustbit.measure;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * A PKCS#11 URI naming a signing key in a token (RFC 7512): {@code pkcs11:token=LABEL;object=LABEL[;id=%01%02]
 * [?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/path/to/pin]}.
 *
 * <p>Path attributes other than token, object, id, serial and type (which must be {@code private}) are refused,
 * not ignored: a URI that says more than this class matches on could otherwise pick another key (RFC 7512,
 * §3.3: a consumer must not match an object on attributes it does not understand). {@code pin-value} is
 * refused: a PIN in a URI lands in shell history and in the process list.
 */
public record Pkcs11Uri(String token, String object, Optional<byte[]> id, Optional<String> serial,
        Optional<Path> modulePath, Optional<Path> pinFile) {

    private static final Set<String> PATH_ATTRIBUTES = Set.of("token", "object", "id", "serial", "type");
    private static final int MAX_LENGTH = 4096;

    public Pkcs11Uri {
        if (token == null || token.isEmpty() || object == null || object.isEmpty()) {
            throw new IllegalArgumentException("a PKCS#11 key URI needs token= and object=");
        }
    }

    /** True if {@code text} is meant as a PKCS#11 URI rather than a file name. */
    public static boolean looksLikeUri(String text) {
        return text.regionMatches(true, 0, "pkcs11:", 0, 7);
    }

    /** Parses a PKCS#11 URI; the exception's message names the attribute that is wrong. */
    public static Pkcs11Uri parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("PKCS#11 URI longer than " + MAX_LENGTH + " characters");
        }
        if (!looksLikeUri(text)) {
            throw new IllegalArgumentException("a PKCS#11 URI starts with pkcs11:");
        }
        String rest = text.substring(7);
        int q = rest.indexOf('?');
        String path = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? "" : rest.substring(q + 1);
        String token = null;
        String object = null;
        byte[] id = null;
        String serial = null;
        for (String attr : path.isEmpty() ? new String[0] : path.split(";", -1)) {
            int eq = attr.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("PKCS#11 URI path attribute without a value: " + attr);
            }
            String name = attr.substring(0, eq);
            byte[] value = percentDecode(name, attr.substring(eq + 1));
            if (!PATH_ATTRIBUTES.contains(name)) {
                throw new IllegalArgumentException("PKCS#11 URI attribute " + name + " is not supported (token, object, id, serial, type)");
            }
            String s = new String(value, StandardCharsets.UTF_8);
            switch (name) {
                case "token" -> token = once(name, token, s);
                case "object" -> object = once(name, object, s);
                case "serial" -> serial = once(name, serial, s);
                case "id" -> {
                    if (id != null) {
                        throw new IllegalArgumentException("PKCS#11 URI attribute id given twice");
                    }
                    id = value;
                }
                default -> {
                    if (!"private".equals(s)) {
                        throw new IllegalArgumentException("PKCS#11 URI type must be private (a signing key), not " + s);
                    }
                }
            }
        }
        Path module = null;
        Path pin = null;
        for (String attr : query.isEmpty() ? new String[0] : query.split("&", -1)) {
            int eq = attr.indexOf('=');
            String name = eq < 0 ? attr : attr.substring(0, eq);
            String value = eq < 0 ? "" : new String(percentDecode(name, attr.substring(eq + 1)), StandardCharsets.UTF_8);
            switch (name) {
                case "module-path" -> module = Path.of(once(name, module == null ? null : module.toString(), value));
                case "pin-source" -> {
                    if (!value.startsWith("file:") || value.length() == 5) {
                        throw new IllegalArgumentException("PKCS#11 URI pin-source must be file:PATH, not " + value);
                    }
                    String file = value.startsWith("file://") ? value.substring(7) : value.substring(5);
                    pin = Path.of(once(name, pin == null ? null : pin.toString(), file));
                }
                case "pin-value" -> throw new IllegalArgumentException(
                        "PKCS#11 URI pin-value is refused: give the PIN in a file (pin-source=file:PATH or --pin-file) or in TRUSTBIT_PKCS11_PIN");
                default -> throw new IllegalArgumentException("PKCS#11 URI query attribute " + name + " is not supported (module-path, pin-source)");
            }
        }
        if (token == null || object == null) {
            throw new IllegalArgumentException("a PKCS#11 key URI needs token= and object=");
        }
        return new Pkcs11Uri(token, object, Optional.ofNullable(id), Optional.ofNullable(serial),
                Optional.ofNullable(module), Optional.ofNullable(pin));
    }

    private static String once(String name, String previous, String value) {
        if (previous != null) {
            throw new IllegalArgumentException("PKCS#11 URI attribute " + name + " given twice");
        }
        return value;
    }

    /** RFC 3986 percent-decoding (RFC 7512, §2.3: attribute values are percent-encoded octets). */
    private static byte[] percentDecode(String name, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != '%') {
                out.write(raw[i]);
                continue;
            }
            if (i + 2 >= raw.length) {
                throw new IllegalArgumentException("PKCS#11 URI attribute " + name + ": truncated percent escape");
            }
            int hi = Character.digit(raw[i + 1], 16);
            int lo = Character.digit(raw[i + 2], 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("PKCS#11 URI attribute " + name + ": bad percent escape");
            }
            out.write(hi << 4 | lo);
            i += 2;
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "pkcs11:token=" + token + ";object=" + object
                + id.map(b -> ";id=" + HexFormat.of().withPrefix("%").formatHex(b)).orElse("");
    }
}
