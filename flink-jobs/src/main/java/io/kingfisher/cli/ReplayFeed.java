package io.kingfisher.cli;

import io.kingfisher.domain.declared.RowReader;
import io.kingfisher.schemas.core.DeadLetter;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * The rows of a file in event-time order: each row's event on {@code <domain>.events}; its label on
 * {@code <domain>.labels} once the label is known (event time + the declared delay, merged in time order with
 * the events); and each row that does not fit its domain file as a dead letter on {@code <domain>.dlq}, with
 * its line number, the reason and the raw line.
 */
final class ReplayFeed implements Feed {
    private final Iterator<Feed.Item> items;

    /** A row the reader rejected. */
    record Rejected(long line, String reason, String raw) {
    }

    ReplayFeed(String domain, String sourceName, List<RowReader.ParsedRow> rows, List<Rejected> rejected, Schema labelSchema,
               SchemaRegistryClient registry) {
        String events = io.kingfisher.schemas.topic.Topics.events(domain);
        String labels = io.kingfisher.schemas.topic.Topics.labels(domain);
        String dlq = io.kingfisher.schemas.topic.Topics.dlq(domain);
        AvroWireSerializer<GenericRecord> eventSer = rows.isEmpty() ? null
                : AvroWireSerializer.generic(registry, rows.get(0).event().getSchema(), false, true);
        AvroWireSerializer<GenericRecord> labelSer = AvroWireSerializer.generic(registry, labelSchema, false, true);
        AvroWireSerializer<DeadLetter> dlqSer = new AvroWireSerializer<>(registry, DeadLetter.class);

        List<Feed.Item> out = new ArrayList<>();
        for (Rejected r : rejected) {
            DeadLetter d = DeadLetter.newBuilder()
                    .setSourceTopic("file:" + sourceName)
                    .setPartition(-1)
                    .setOffset(r.line())
                    .setErrorKind("BAD_ROW")
                    .setError(r.reason())
                    .setRawKey(null)
                    .setRawValue(ByteBuffer.wrap(r.raw().getBytes(StandardCharsets.UTF_8)))
                    .setFailedAt(System.currentTimeMillis())
                    .setStage("replay")
                    .build();
            out.add(new Feed.Item(dlq, null, dlqSer.serialize(dlq, d), null, true));
        }
        // Events at their event time, labels at their label time; at equal times the event goes first.
        record Timed(long time, int order, Feed.Item item) {
        }
        List<Timed> timed = new ArrayList<>(rows.size() * 2);
        int seq = 0;
        for (RowReader.ParsedRow r : rows) {
            byte[] key = r.key().getBytes(StandardCharsets.UTF_8);
            timed.add(new Timed(r.eventTime(), seq++, new Feed.Item(events, key, eventSer.serialize(events, r.event()), r.eventId(), false)));
            GenericRecord label = new GenericData.Record(labelSchema);
            label.put(RowReader.EVENT_ID, r.eventId());
            label.put("label", r.label());
            label.put("label_time", r.labelTime());
            timed.add(new Timed(r.labelTime(), seq++, new Feed.Item(labels, key, labelSer.serialize(labels, label), null, false)));
        }
        timed.sort(Comparator.comparingLong(Timed::time).thenComparingInt(Timed::order));
        timed.forEach(t -> out.add(t.item()));
        this.items = out.iterator();
    }

    @Override
    public Item next() {
        return items.hasNext() ? items.next() : null;
    }
}
