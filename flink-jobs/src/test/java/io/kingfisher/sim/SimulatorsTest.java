package io.kingfisher.sim;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import org.apache.avro.generic.IndexedRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every built-in simulator promises: determinism, labels among events, held-up events, a time scale. */
class SimulatorsTest {

    private static long eventTime(Domain d, SimulatedEvent e) {
        IndexedRecord r = (IndexedRecord) e.value();
        return ((Number) r.get(r.getSchema().getField(d.timeField()).pos())).longValue();
    }

    @Test
    void sameSeedGivesTheSameRecordsLabelsIncluded() {
        for (String name : BuiltInDomains.NAMES) {
            Domain d = BuiltInDomains.byName(name);
            Simulator a = Simulators.forDomain(d, 7);
            Simulator b = Simulators.forDomain(d, 7);
            Simulator c = Simulators.forDomain(d, 8);
            int labels = 0;
            boolean differs = false;
            for (int i = 0; i < 30_000; i++) {
                SimulatedRecord x = a.nextRecord();
                SimulatedRecord y = b.nextRecord();
                assertEquals(x, y, name + " record " + i);
                assertEquals(a.now(), b.now(), name);
                labels += x instanceof SimulatedLabel ? 1 : 0;
                differs |= !x.equals(c.nextRecord());
            }
            assertTrue(differs, name + ": another seed, another stream");
            if (!name.equals("fraud")) { // fraud labels come days later
                assertTrue(labels > 0, name + ": labels come among the events");
            }
        }
    }

    @Test
    void heldUpEventsArriveOutOfOrderAsConfigured() {
        Transport fivePerCent = new Transport(0.05, Duration.ofSeconds(30), Duration.ofMinutes(10));
        for (String name : BuiltInDomains.NAMES) {
            Domain d = BuiltInDomains.byName(name);
            Simulator sim = Simulators.forDomain(d, 3, Simulators.Options.defaults().withDrift("none").withTransport(fivePerCent));
            int n = 40_000;
            int heldUp = 0;
            int outOfOrder = 0;
            long maxLate = 0;
            long latest = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                SimulatedEvent e = sim.next();
                long t = eventTime(d, e);
                long late = sim.now() - t;
                assertTrue(late >= 0, name + ": an event is never emitted before it happens");
                heldUp += late > 0 ? 1 : 0;
                maxLate = Math.max(maxLate, late);
                outOfOrder += t < latest ? 1 : 0;
                latest = Math.max(latest, t);
            }
            double share = heldUp / (double) n;
            assertTrue(share > 0.04 && share < 0.06, name + ": held-up share " + share);
            assertTrue(maxLate <= Duration.ofMinutes(10).toMillis(), name + ": max delay " + maxLate);
            assertTrue(outOfOrder > n * 0.02, name + ": out-of-order events " + outOfOrder);
            Transport.Tally tally = ((EventTimeSimulator) sim).transportTally();
            assertTrue(tally.events() >= n && tally.heldUp() >= heldUp, name + ": " + tally);

            Simulator inOrder = Simulators.forDomain(d, 3, Simulators.Options.defaults().withDrift("none").withTransport(Transport.NONE));
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < 20_000; i++) {
                long t = eventTime(d, inOrder.next());
                assertTrue(t >= previous, name + ": without transport delays events come in time order");
                previous = t;
            }
        }
    }

    @Test
    void theDefaultTransportHoldsUpAboutOnePerCent() {
        Domain d = BuiltInDomains.clinical();
        Simulator sim = Simulators.forDomain(d, 9);
        int heldUp = 0;
        for (int i = 0; i < 50_000; i++) {
            SimulatedEvent e = sim.next();
            heldUp += sim.now() > eventTime(d, e) ? 1 : 0;
        }
        assertTrue(heldUp > 300 && heldUp < 700, "held up " + heldUp + " of 50000");
    }

    @Test
    void aTimeScaleSetsHowFastSimulatedTimeRunsAtTheRate() {
        // 600 simulated seconds per wall second at 60 events a wall second: 0.1 events per simulated second.
        TimeScale scale = TimeScale.of(600, 60);
        assertEquals(0.1, scale.simulatedEventsPerSecond(), 1e-12);
        assertEquals(1_000, scale.wallMillis(600_000));
        long twoDays = 2 * 86_400_000L;
        for (String name : BuiltInDomains.NAMES) {
            Domain d = BuiltInDomains.byName(name);
            // Whole simulated days, so the time-of-day profile averages out.
            double perSecond = eventsPerSimulatedSecond(Simulators.forDomain(d, 1, "none", scale), twoDays);
            assertTrue(perSecond > 0.085 && perSecond < 0.115, name + ": " + perSecond + " events per simulated second");
            double natural = eventsPerSimulatedSecond(Simulators.forDomain(d, 1, "none", TimeScale.NATURAL), 86_400_000L);
            double expected = Simulators.naturalEventsPerSimulatedSecond(name);
            assertTrue(natural > 0.85 * expected && natural < 1.15 * expected,
                    name + ": natural rate " + natural + ", expected about " + expected);
        }
    }

    private static double eventsPerSimulatedSecond(Simulator sim, long span) {
        long start = sim.now();
        long n = 0;
        while (sim.now() < start + span) {
            sim.next();
            n++;
        }
        return n / (span / 1000.0);
    }

    @Test
    void badOptionsAreNamed() {
        Domain clinical = BuiltInDomains.clinical();
        IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
                () -> Simulators.forDomain(clinical, 1, "none", TimeScale.of(1e7, 1)));
        assertTrue(tooFew.getMessage().contains("raise the rate or lower the time scale"), tooFew.getMessage());
        for (String name : BuiltInDomains.NAMES) {
            IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                    () -> Simulators.forDomain(BuiltInDomains.byName(name), 1, "none", TimeScale.of(1, 1e9)));
            assertTrue(tooMany.getMessage().contains("lower the rate or raise the time scale"), tooMany.getMessage());
        }
        IllegalArgumentException drift = assertThrows(IllegalArgumentException.class,
                () -> Simulators.forDomain(clinical, 1, "abrupt@", TimeScale.NATURAL));
        assertTrue(drift.getMessage().startsWith("drift point 'abrupt@'"), drift.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimeScale.of(0, 10));
        assertThrows(IllegalArgumentException.class, () -> TimeScale.of(10, -1));
        assertThrows(IllegalArgumentException.class, () -> new Transport(1.5, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }

    @Test
    void theDefaultDriftIsTheDomainsOwn() {
        for (String name : BuiltInDomains.NAMES) {
            assertEquals(Simulators.builtInDrift(name), DriftSchedule.parse("default", Simulators.builtInDrift(name)));
        }
        assertEquals("abrupt@4d,gradual@10d+2d", Simulators.builtInDrift("fraud").spec());
    }
}
