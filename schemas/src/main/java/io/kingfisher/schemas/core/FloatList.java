package io.kingfisher.schemas.core;

import java.util.AbstractList;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A fixed-size {@code List<Float>} over a {@code float[]}, for the float-array fields of {@link Score} and
 * {@link FeatureVector} (Avro's generated classes take a {@code List<Float>}): no box per element is kept, and
 * the list equals any list of the same floats. The array is not copied: whoever hands it over must not change it
 * afterwards.
 */
public final class FloatList extends AbstractList<Float> implements RandomAccess {
    private final float[] values;

    private FloatList(float[] values) {
        this.values = Objects.requireNonNull(values, "values");
    }

    /** @return a list over {@code values}, which the caller no longer changes */
    public static FloatList over(float[] values) {
        return new FloatList(values);
    }

    @Override
    public Float get(int index) {
        return values[index];
    }

    /** @return the float at {@code index}, unboxed */
    public float getFloat(int index) {
        return values[index];
    }

    @Override
    public int size() {
        return values.length;
    }

    /**
     * Avro's generated encoders walk a list with its iterator: this one reads the array, without
     * {@link AbstractList}'s checks for concurrent changes, which a fixed view cannot have.
     */
    @Override
    public Iterator<Float> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < values.length;
            }

            @Override
            public Float next() {
                if (next >= values.length) {
                    throw new NoSuchElementException();
                }
                return values[next++];
            }
        };
    }
}
