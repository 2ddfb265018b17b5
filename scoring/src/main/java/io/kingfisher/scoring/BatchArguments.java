package io.kingfisher.scoring;

/** The argument checks every {@link Model#scoreBatch} implementation makes, with the same messages. */
public final class BatchArguments {
    private BatchArguments() {
    }

    /**
     * Checks that {@code rowMajor} holds {@code rows} rows of {@code inputSize} features and that {@code out} has room
     * for their scores ({@code rows} itself is the caller's to check against its capacity).
     *
     * @return {@code rows * inputSize}, the number of feature values to read
     * @throws IllegalArgumentException naming the argument that is too short
     */
    public static int check(float[] rowMajor, int rows, int inputSize, double[] out) {
        long needed = (long) rows * inputSize;
        if (rowMajor == null || rowMajor.length < needed) {
            throw new IllegalArgumentException("rowMajor must hold rows * inputSize = " + needed + " values, had "
                    + (rowMajor == null ? "null" : rowMajor.length));
        }
        if (out == null || out.length < rows) {
            throw new IllegalArgumentException("out must have length >= " + rows + ", had "
                    + (out == null ? "null" : out.length));
        }
        return (int) needed;
    }
}
