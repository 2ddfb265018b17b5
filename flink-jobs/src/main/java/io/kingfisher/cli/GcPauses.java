package io.kingfisher.cli;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The stop-the-world pauses of this JVM's garbage collector while it listens, as wall-clock spans, from the JVM's
 * collection notifications. The collectors that report concurrent cycles rather than pauses (ZGC's and Shenandoah's
 * "... Cycles") are left out; G1's young, mixed and full collections, and its remark and cleanup pauses, are in.
 * On the local stack the broker, the jobs and the demo share the JVM, so these are the pipeline's pauses.
 */
final class GcPauses implements AutoCloseable {
    private final long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final List<TailCauses.Span> pauses = new ArrayList<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;

    private GcPauses() {
    }

    /** Starts listening; {@link #close} stops. */
    static GcPauses listen() {
        GcPauses p = new GcPauses();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter && !gc.getName().endsWith("Cycles")) {
                emitter.addNotificationListener(p.listener, null, null);
                p.emitters.add(emitter);
            }
        }
        return p;
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
        long start = jvmStart + info.getStartTime();
        synchronized (pauses) {
            pauses.add(new TailCauses.Span(start, start + info.getDuration()));
        }
    }

    /** @return the pauses that overlap {@code [fromMillis, toMillis]}, in the order reported */
    List<TailCauses.Span> between(long fromMillis, long toMillis) {
        synchronized (pauses) {
            return pauses.stream().filter(s -> s.to() >= fromMillis && s.from() <= toMillis).toList();
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
        emitters.clear();
    }
}
