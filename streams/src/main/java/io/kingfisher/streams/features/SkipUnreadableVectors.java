package io.kingfisher.streams.features;

import io.kingfisher.schemas.wire.WireFormatException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the lookup does with a record it cannot read: a malformed or incompatible one is logged and skipped (one
 * bad record must not stop every lookup), but when the schema registry cannot be reached the stream thread fails,
 * and is replaced, so the record is read again rather than lost.
 */
public final class SkipUnreadableVectors implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SkipUnreadableVectors.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (registryUnavailable(exception)) {
            LOG.error("Cannot read record {}-{}@{}: the schema registry is unavailable; failing the stream thread so "
                + "the record is read again", record.topic(), record.partition(), record.offset(), exception);
            return Response.fail();
        }
        LOG.warn("Skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
            exception.getMessage());
        return Response.resume();
    }

    static boolean registryUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WireFormatException w && w.kind() == WireFormatException.Kind.REGISTRY_UNAVAILABLE) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
