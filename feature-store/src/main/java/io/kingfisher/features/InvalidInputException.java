package io.kingfisher.features;

/**
 * An event that cannot be turned into features: a missing required field, a non-finite or out-of-range
 * number. The message names the field; the job routes the record to the dead-letter topic with it.
 */
public final class InvalidInputException extends RuntimeException {
    private final String field;

    public InvalidInputException(String field, String problem) {
        super("field '" + field + "': " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
