package io.trustbit.verifier.internal;

/**
 * A request that ends with an HTTP error. The client sees {@link #status()}, the stable {@link #code()}
 * and the short {@link #getMessage()}; the log gets {@link #detail()} and the cause.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String detail;

    public ApiException(int status, String code, String message, String detail, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.detail = detail;
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, message, null);
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException badRequest(String code, String message, Throwable cause) {
        return new ApiException(400, code, message, String.valueOf(cause), cause);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "NOT_FOUND", what + " not found");
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String detail() {
        return detail;
    }
}
