package io.kingfisher.cli;

import io.kingfisher.domain.Domain;
import io.kingfisher.features.NumericRule;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import io.kingfisher.sim.SimulatedEvent;
import io.kingfisher.sim.SimulatedLabel;
import io.kingfisher.sim.SimulatedRecord;
import io.kingfisher.sim.Simulator;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Simulated events and the labels that follow them, in the Confluent wire format, with a malformed record of a rotating kind every
 * {@code badEvery} events: garbage bytes, an unknown schema id, truncated Avro, and field-level faults taken
 * from the domain's own rules (a non-finite or out-of-range number, an empty entity key).
 */
final class SimulatorFeed implements Feed {
    /** Kinds of malformed records injected, in rotation. */
    enum BadKind { GARBAGE, UNKNOWN_SCHEMA_ID, TRUNCATED, NON_FINITE, OUT_OF_RANGE, EMPTY_KEY }

    private final Domain domain;
    private final Simulator simulator;
    private final SchemaRegistryClient registry;
    private final int badEvery;
    private final String topic;
    private final String labelsTopic;
    private AvroWireSerializer<SpecificRecord> serializer;
    private AvroWireSerializer<SpecificRecord> labelSerializer;
    private long n;
    private int badNo;

    SimulatorFeed(Domain domain, Simulator simulator, SchemaRegistryClient registry, int badEvery) {
        if (badEvery < 0) {
            throw new IllegalArgumentException("--bad-every: must be >= 0, was " + badEvery);
        }
        this.domain = domain;
        this.simulator = simulator;
        this.registry = registry;
        this.badEvery = badEvery;
        this.topic = domain.eventsTopic();
        this.labelsTopic = domain.labelsTopic();
    }

    @Override
    public Item next() {
        SimulatedRecord r = simulator.nextRecord();
        if (r instanceof SimulatedLabel label) {
            if (labelSerializer == null) {
                @SuppressWarnings("unchecked")
                Class<SpecificRecord> type = (Class<SpecificRecord>) label.value().getClass();
                labelSerializer = new AvroWireSerializer<>(registry, type);
            }
            return new Item(labelsTopic, label.key().getBytes(StandardCharsets.UTF_8),
                    labelSerializer.serialize(labelsTopic, label.value()), null, false);
        }
        SimulatedEvent ev = (SimulatedEvent) r;
        if (serializer == null) {
            @SuppressWarnings("unchecked")
            Class<SpecificRecord> type = (Class<SpecificRecord>) ev.value().getClass();
            serializer = new AvroWireSerializer<>(registry, type);
        }
        byte[] key = ev.key().getBytes(StandardCharsets.UTF_8);
        n++;
        if (badEvery > 0 && n % badEvery == 0) {
            BadKind kind = BadKind.values()[badNo++ % BadKind.values().length];
            return new Item(topic, key, malformed(kind, ev), null, true);
        }
        return new Item(topic, key, serializer.serialize(topic, ev.value()), ev.eventId(), false);
    }

    private byte[] malformed(BadKind kind, SimulatedEvent ev) {
        byte[] good = serializer.serialize(topic, ev.value());
        switch (kind) {
            case GARBAGE:
                return "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
            case UNKNOWN_SCHEMA_ID: {
                byte[] b = good.clone();
                b[1] = 0x7f; // schema id 0x7fxxxxxx: never assigned
                return b;
            }
            case TRUNCATED:
                return Arrays.copyOf(good, Math.max(6, good.length / 2));
            default:
                break;
        }
        SpecificRecordBase copy = (SpecificRecordBase) SpecificData.get().deepCopy(ev.value().getSchema(), ev.value());
        List<NumericRule> rules = domain.rules();
        if (kind == BadKind.EMPTY_KEY || rules.isEmpty()) {
            copy.put(domain.keyField() == null ? domain.idField() : domain.keyField(), "");
        } else {
            NumericRule r = rules.get(0);
            copy.put(r.field(), kind == BadKind.NON_FINITE ? Double.NaN : r.min() - 1);
        }
        return serializer.serialize(topic, (SpecificRecord) copy);
    }
}
