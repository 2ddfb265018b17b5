package io.kingfisher.sim;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.clicks.ClickEvent;
import io.kingfisher.schemas.clicks.ClickEventType;
import io.kingfisher.scoring.IdHash;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.Nd4jThreads;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.store.FileSystemModelStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClicksSimulatorTest {
    private static final long MIN = 60_000L;
    private static final long DAY = 24 * 60 * MIN;

    @BeforeAll
    static void oneNd4jThread() {
        Nd4jThreads.configure(1);
    }

    @Test
    void clickThroughIsAFewPerCentWithPositionBias() {
        // Stated tolerance: CTR (clicks within the attribution window per impression) between 2% and 6%.
        ClicksSimulator sim = ClicksSimulator.withDefaults(8);
        long[] shown = new long[10];
        long[] clicked = new long[10];
        for (int i = 0; i < 100_000; i++) {
            SimulatedEvent e = sim.next();
            ClickEvent imp = (ClickEvent) e.value();
            assertEquals(ClickEventType.IMPRESSION, imp.getType());
            assertEquals(imp.getEventId(), imp.getImpressionId());
            assertEquals(IdHash.hash24(imp.getUserId()), imp.getUserHash());
            assertEquals(IdHash.hash24(imp.getItemId()), imp.getItemHash());
            assertEquals(imp.getUserId(), e.key());
            shown[imp.getPosition()]++;
            clicked[imp.getPosition()] += e.positive() ? 1 : 0;
        }
        ClicksSimulator.Tally tally = sim.tally();
        double ctr = tally.clickThroughRate();
        double top = clicked[0] / (double) shown[0];
        double bottom = clicked[9] / (double) shown[9];
        System.out.printf("clicks: CTR %.2f%% over %d impressions; slot 0 %.2f%%, slot 9 %.2f%%%n", 100 * ctr, tally.impressions(), 100 * top, 100 * bottom);
        assertTrue(ctr > 0.02 && ctr < 0.06, "CTR " + ctr);
        assertTrue(top > 2.5 * bottom, "position bias: slot 0 " + top + " vs slot 9 " + bottom);
    }

    @Test
    void clicksFollowTheirImpressionsWithinTheAttributionWindowMostly() {
        ClicksSimulator sim = new ClicksSimulator(4, new ClicksSimulator.Config(400, 200, 6.0, Duration.ofMinutes(30),
                FraudSimulator.DEFAULT_START), DriftSchedule.none(), Transport.NONE);
        Map<String, SimulatedEvent> impressions = new HashMap<>();
        List<Long> delays = new ArrayList<>();
        long late = 0;
        long positiveImpressions = 0;
        long end = FraudSimulator.DEFAULT_START + 2 * DAY;
        while (sim.now() < end) {
            SimulatedRecord r = sim.nextRecord();
            if (r instanceof SimulatedEvent e) {
                impressions.put(e.eventId(), e);
                positiveImpressions += e.positive() ? 1 : 0;
                continue;
            }
            ClickEvent click = (ClickEvent) r.value();
            assertEquals(ClickEventType.CLICK, click.getType());
            SimulatedEvent e = impressions.get(click.getImpressionId());
            assertNotNull(e, "a click names an impression emitted before it");
            ClickEvent imp = (ClickEvent) e.value();
            assertEquals(imp.getUserId(), click.getUserId());
            assertEquals(imp.getItemId(), click.getItemId());
            assertEquals(imp.getPosition(), click.getPosition());
            assertEquals(click.getEventTime(), sim.now(), "a click is emitted at its time");
            long delay = click.getEventTime() - imp.getEventTime();
            assertTrue(delay > 0, "delay " + delay);
            boolean inWindow = delay <= 30 * MIN;
            assertEquals(inWindow, e.positive(), "ground truth is a click within the attribution window");
            assertEquals(inWindow, ((SimulatedLabel) r).positive());
            late += inWindow ? 0 : 1;
            delays.add(delay);
        }
        Collections.sort(delays);
        long median = delays.get(delays.size() / 2);
        double lateShare = late / (double) delays.size();
        System.out.printf("clicks: %d clicks, median delay %.1f s, %.2f%% after the window%n", delays.size(), median / 1000.0, 100 * lateShare);
        assertTrue(delays.size() > 1000, "clicks " + delays.size());
        assertTrue(median > 2_000 && median < 30_000, "median click delay " + median);
        assertTrue(lateShare > 0.005 && lateShare < 0.05, "late clicks " + lateShare);
        assertTrue(positiveImpressions >= delays.size() - late - 50, "every positive impression has its click");
    }

    @Test
    void userAndItemEmbeddingsLearnAndATasteShiftDegradesThem(@TempDir Path dir) throws Exception {
        // 600 users, 300 items; ~1.7 days of history; tastes shift at once on day 2.2.
        Domain clicks = BuiltInDomains.clicks();
        ClicksSimulator.Config cfg = new ClicksSimulator.Config(600, 300, 6.0, Duration.ofMinutes(30), FraudSimulator.DEFAULT_START);
        long drift = (long) (2.2 * DAY);
        ClicksSimulator sim = new ClicksSimulator(5, cfg, DriftSchedule.parse("abrupt@" + drift / MIN + "m"), Transport.DEFAULT);
        String store = dir.toUri().toString();
        WarmStart.Result r = WarmStart.trainOnSimulation(clicks, sim, 100_000, store, null);
        assertEquals("mlp(12-32-16-1)+emb(8192x16,2048x16,dot)", r.snapshot().getArchitecture());
        assertEquals("user_hash:8192x16,item_hash:2048x16,dot", r.snapshot().getTrainerConfig().get("model.embeddings"));

        SimEval.Rows fresh = new SimEval(clicks).collect(sim, 100_000);
        long at = FraudSimulator.DEFAULT_START + drift;
        double before = fresh.auc(r.training().network(), 0, at);
        double after = fresh.auc(r.training().network(), at, Long.MAX_VALUE);
        System.out.printf("clicks: validation AUC %.3f; fresh data before the drift %.3f (%d clicks), after %.3f (%d clicks)%n",
                r.validationAuc(), before, fresh.positives(0, at), after, fresh.positives(at, Long.MAX_VALUE));
        assertTrue(fresh.positives(0, at) > 500 && fresh.positives(at, Long.MAX_VALUE) > 500, "clicks on both sides");
        assertTrue(before > 0.65, "learnable: AUC on fresh data " + before);
        assertTrue(after < before - 0.04, "frozen model degrades: " + before + " -> " + after);

        // The scoring path serves it: the snapshot verifies, loads as a Model and scores as the network does.
        try (Model model = Snapshots.load(r.snapshot(), new FileSystemModelStore(store), null, clicks.features().hash())) {
            float[] row = fresh.x.get(0);
            double expected = SimEval.score(r.training().network(), List.of(row))[0];
            assertEquals(expected, model.score(row), 1e-6);
            assertEquals(r.snapshot().getArchitecture(), model.architecture());
        }
    }
}
