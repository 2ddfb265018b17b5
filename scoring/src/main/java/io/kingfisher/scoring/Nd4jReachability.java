package io.kingfisher.scoring;

import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every ND4J op, and the arrays it holds, reachable until its native call has returned.
 *
 * <p><b>The bug this works around</b> (ND4J 1.0.0-M2.1, CPU backend). A broadcast, reduce or index op carries its
 * axes as a small array of its own, allocated outside any workspace, so ND4J frees its native buffer when the Java
 * object is garbage collected. {@code NativeOpExecutioner.exec(BroadcastOp, OpContext)} reads the op's arrays, calls
 * the native {@code execBroadcast} and then uses only the result array: from the JIT's point of view the op, and
 * with it the axes array, are dead during the native call. A collection at that moment lets ND4J's deallocator
 * thread delete the axes buffer while the native code is about to read it, and the JVM dies with SIGSEGV in
 * {@code sd::DataBuffer::primary()} (seen twice in our runs: in the scorer's and in the trainer's forward pass,
 * at {@code StandardizingPreProcessor.preProcess}'s {@code subiRowVector}; DL4J's dense layers add their bias the
 * same way).
 *
 * <p><b>The fix.</b> {@link #install()} replaces ND4J's executioner with a proxy that forwards every call and then
 * calls {@link Reference#reachabilityFence} on the arguments, so an op cannot be collected before the call that
 * runs it returns. It is installed only over the CPU executioner: nothing in ND4J's or DL4J's CPU code casts
 * {@link Nd4j#getExecutioner()} to a class, while the CUDA backend casts it to its own executioner and would break.
 * The cost is one reflective call per op, tens of nanoseconds against the microseconds of an op.
 */
public final class Nd4jReachability {
    private static final Logger LOG = LoggerFactory.getLogger(Nd4jReachability.class);
    /** The executioner class the fence is known to be safe over. */
    static final String CPU_EXECUTIONER = "org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner";
    /** The executioner already left unfenced and said so: every model load calls {@link #install()}. */
    private static OpExecutioner leftAlone;

    private Nd4jReachability() {
    }

    /**
     * Puts the fence over ND4J's executioner, once per JVM; later calls do nothing. On another backend than
     * the CPU one it leaves the executioner as it is and says so in the log.
     *
     * @return whether the executioner is fenced after the call
     */
    public static synchronized boolean install() {
        OpExecutioner current = Nd4j.getExecutioner();
        if (isFenced(current)) {
            return true;
        }
        if (!current.getClass().getName().equals(CPU_EXECUTIONER)) {
            if (leftAlone != current) {
                LOG.info("ND4J executioner {} left unfenced: only {} is known to tolerate a proxy",
                        current.getClass().getName(), CPU_EXECUTIONER);
                leftAlone = current;
            }
            return false;
        }
        setExecutioner(fence(current));
        return true;
    }

    /** @return whether {@code executioner} is a fence made by {@link #fence} */
    static boolean isFenced(OpExecutioner executioner) {
        return Proxy.isProxyClass(executioner.getClass()) && Proxy.getInvocationHandler(executioner) instanceof Fence;
    }

    /** A proxy of {@code target} that keeps each call's arguments reachable until the call has returned. */
    static OpExecutioner fence(OpExecutioner target) {
        return (OpExecutioner) Proxy.newProxyInstance(OpExecutioner.class.getClassLoader(),
                new Class<?>[] {OpExecutioner.class}, new Fence(target));
    }

    private static void setExecutioner(OpExecutioner executioner) {
        try {
            Field f = Nd4j.class.getDeclaredField("OP_EXECUTIONER_INSTANCE");
            f.setAccessible(true);
            f.set(null, executioner);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot fence ND4J's executioner (Nd4j.OP_EXECUTIONER_INSTANCE): " + e, e);
        }
    }

    private record Fence(OpExecutioner target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                Reference.reachabilityFence(args);
            }
        }
    }
}
