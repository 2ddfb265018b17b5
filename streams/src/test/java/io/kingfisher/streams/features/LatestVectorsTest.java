package io.kingfisher.streams.features;

import static io.kingfisher.streams.features.Vectors.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.schemas.core.FeatureVector;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatestVectorsTest {

    @Test
    void aLaterEventReplacesAndAnEarlierOneOfTheSameSpecDoesNot() {
        FeatureVector at10 = vector("card-1", 10, 1f);
        FeatureVector at20 = vector("card-1", 20, 2f);
        assertSame(at10, LatestVectors.newer(null, at10));
        assertSame(at20, LatestVectors.newer(at10, at20));
        assertSame(at20, LatestVectors.newer(at20, at10), "a late event's vector must not replace the latest one");
    }

    @Test
    void theSameEventTimeReplacesTheStoredVector() {
        FeatureVector first = vector("card-1", 10, 1f);
        FeatureVector second = vector("card-1", 10, 2f);
        assertSame(second, LatestVectors.newer(first, second));
    }

    @Test
    void aVectorOfAnotherSpecReplacesWhateverItsTime() {
        FeatureVector old = vector("fraud", "card-1", 20, "spec-a", 1f);
        FeatureVector redeployed = vector("fraud", "card-1", 5, "spec-b", 1f, 2f);
        assertSame(redeployed, LatestVectors.newer(old, redeployed));
    }

    @Test
    void problemsNameTheEntity() {
        assertNull(LatestVectors.problem("card-1", vector("card-1", 1, 1f)));
        assertNull(LatestVectors.problem("card-1", null), "a tombstone is no problem: it deletes");
        assertTrue(LatestVectors.deletes(null));
        assertFalse(LatestVectors.deletes(vector("card-1", 1, 1f)));
        assertTrue(LatestVectors.problem(null, null).contains("no key"), "a tombstone needs a key too");
        assertTrue(LatestVectors.problem(null, vector("card-1", 1, 1f)).contains("no key"));
        FeatureVector mismatch = vector("card-1", 1, 1f, 2f);
        mismatch.setValues(List.of(1f));
        assertEquals("vector of entity 'card-1' has 2 name(s) but 1 value(s)", LatestVectors.problem("card-1", mismatch));
        assertEquals("record key 'card-2' is not the vector's entity 'card-1'",
            LatestVectors.problem("card-2", vector("card-1", 1, 1f)));
    }
}
