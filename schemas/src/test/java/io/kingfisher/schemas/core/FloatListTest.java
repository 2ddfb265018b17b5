package io.kingfisher.schemas.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FloatListTest {

    @Test
    void equalsAndHashesLikeAnyListOfTheSameFloats() {
        FloatList view = FloatList.over(new float[]{1.5f, -0f, Float.NaN});
        List<Float> boxed = List.of(1.5f, -0f, Float.NaN);
        assertEquals(boxed, view);
        assertEquals(view, boxed);
        assertEquals(boxed.hashCode(), view.hashCode());
        assertEquals(3, view.size());
        assertEquals(1.5f, view.getFloat(0));
    }

    @Test
    void isAFixedView() {
        float[] values = {1, 2};
        FloatList view = FloatList.over(values);
        assertThrows(UnsupportedOperationException.class, () -> view.set(0, 3f));
        assertThrows(UnsupportedOperationException.class, () -> view.add(3f));
        assertThrows(IndexOutOfBoundsException.class, () -> view.get(2));
        assertThrows(NullPointerException.class, () -> FloatList.over(null));
        java.util.Iterator<Float> it = view.iterator();
        assertThrows(UnsupportedOperationException.class, it::remove);
        assertEquals(List.of(1f, 2f), List.of(it.next(), it.next()));
        assertThrows(java.util.NoSuchElementException.class, it::next);
    }

    @Test
    void scoresWithAViewEqualScoresWithBoxedFeatures() {
        Score a = new Score("e", "d", "k", 1L, 2L, 3L, 0.5, 1L, "h", FloatList.over(new float[]{1, 2}));
        Score b = new Score("e", "d", "k", 1L, 2L, 3L, 0.5, 1L, "h", List.of(1f, 2f));
        assertEquals(b, a);
    }
}
