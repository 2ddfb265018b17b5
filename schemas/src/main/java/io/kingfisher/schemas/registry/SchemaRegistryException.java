package io.kingfisher.schemas.registry;

/**
 * A schema registry request that failed: an error answer (with its HTTP status and Confluent
 * error code) or no answer at all ({@link #NO_RESPONSE} for both).
 */
public class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Status and error code of a request that got no HTTP answer (connection refused, timeout). */
    public static final int NO_RESPONSE = -1;
    /** Confluent error code: the subject does not exist. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Confluent error code: the version does not exist. */
    public static final int VERSION_NOT_FOUND = 40402;
    /** Confluent error code: the schema (by id, or under a subject) does not exist. */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** Confluent error code: the subject has no compatibility level of its own. */
    public static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;
    /** Confluent error code: the schema is incompatible with earlier versions. */
    public static final int INCOMPATIBLE_SCHEMA = 409;
    /** Confluent error code: the schema is not a valid schema. */
    public static final int INVALID_SCHEMA = 42201;
    /** Confluent error code: the version is not a valid version id. */
    public static final int INVALID_VERSION = 42202;
    /** Confluent error code: the compatibility level is not one the registry knows. */
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    /** Confluent error code: the registry's backing store failed. */
    public static final int STORE_ERROR = 50001;

    private final int httpStatus;
    private final int errorCode;

    /**
     * @param httpStatus the HTTP status, or {@link #NO_RESPONSE}
     * @param errorCode the Confluent {@code error_code}, or {@link #NO_RESPONSE}
     * @param message a description naming the request and the problem
     * @param cause the underlying failure, or null
     */
    public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** @return the HTTP status, or {@link #NO_RESPONSE} */
    public int httpStatus() {
        return httpStatus;
    }

    /** @return the Confluent {@code error_code}, or {@link #NO_RESPONSE} */
    public int errorCode() {
        return errorCode;
    }

    /** @return whether the registry did not answer, or answered with a server-side error (5xx) */
    public boolean isUnavailable() {
        return httpStatus == NO_RESPONSE || httpStatus >= 500;
    }
}
