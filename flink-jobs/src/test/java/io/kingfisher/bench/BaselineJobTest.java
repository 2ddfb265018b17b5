package io.kingfisher.bench;

import io.kingfisher.features.InputEvent;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BaselineJobTest {
    @Test
    void eachEventIsScoredOnceFromItsEntitysCountInKeyedState() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new BaselineJob.CountPerEntity("fraud")), (InputEvent e) -> e.entity, Types.STRING)) {
            h.open();
            for (String[] e : new String[][]{{"t1", "card-1"}, {"t2", "card-1"}, {"t3", "card-2"}, {"t4", "card-1"}}) {
                h.processElement(new StreamRecord<>(new InputEvent(e[0], e[1], 1_000L, 2_000L, new double[0], new String[0])));
            }
            List<Score> out = h.extractOutputValues();
            assertEquals(List.of("t1", "t2", "t3", "t4"), out.stream().map(Score::getEventId).toList());
            assertEquals(List.of(0.0, 0.5, 0.0, 1 - 1 / 3.0), out.stream().map(Score::getScore).toList());
            Score s = out.get(0);
            assertEquals("fraud", s.getDomain());
            assertEquals("card-1", s.getEntity());
            assertEquals(1_000L, s.getEventTime());
            assertEquals(2_000L, s.getIngestTime());
            assertEquals(0L, s.getModelVersion());
            assertEquals(2, h.numKeyedStateEntries(), "one value per entity");
        }
    }
}
