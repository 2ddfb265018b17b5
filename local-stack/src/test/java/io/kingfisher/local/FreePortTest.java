package io.kingfisher.local;

import org.junit.jupiter.api.Test;

import java.util.PrimitiveIterator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker's controller listener never gets the client listener's port, even when the OS offers it again. */
class FreePortTest {
    @Test
    void skipsThePortTheClientListenerTakes() {
        PrimitiveIterator.OfInt offers = IntStream.of(33333, 33333, 40000).iterator();
        assertEquals(40000, EmbeddedKafkaBroker.freePortOtherThan(33333, offers::nextInt));
    }

    @Test
    void saysSoWhenTheOsOffersNothingElse() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddedKafkaBroker.freePortOtherThan(33333, () -> 33333));
        assertTrue(e.getMessage().contains("33333"), e.getMessage());
    }

    @Test
    void aRealProbeGivesAnotherPort() {
        int p = EmbeddedKafkaBroker.freePortOtherThan(33333);
        assertNotEquals(33333, p);
        assertTrue(p > 0 && p < 65536);
    }
}
