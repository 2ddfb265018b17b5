package io.kingfisher.scoring;

import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reproduces the ND4J crash that {@link Nd4jReachability} fences (not a test: without the fence it kills the JVM).
 * Two threads run broadcast ops on a small array while a third calls {@link System#gc()} every 2 ms. Unfenced,
 * the JVM usually dies within seconds with SIGSEGV in {@code sd::DataBuffer::primary()}; fenced, it prints
 * "survived". Run from the repository root after {@code mvn -o install -DskipTests}:
 * <pre>
 * mvn -q -o dependency:build-classpath -pl scoring -Dmdep.outputFile=target/cp.txt
 * java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp "$(cat scoring/target/cp.txt):scoring/target/classes:scoring/target/test-classes" \
 *     io.kingfisher.scoring.Nd4jReachabilityStress fence 60
 * </pre>
 * Arguments: {@code fence} or {@code nofence}, and the seconds to run (default 60).
 */
public final class Nd4jReachabilityStress {
    private Nd4jReachabilityStress() {
    }

    public static void main(String[] args) throws InterruptedException {
        boolean fence = args.length > 0 && args[0].equals("fence");
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 60;
        Nd4j.getEnvironment().setMaxThreads(1);
        if (fence) {
            System.out.println("fenced: " + Nd4jReachability.install());
        }
        AtomicLong ops = new AtomicLong();
        long end = System.currentTimeMillis() + seconds * 1000;
        Runnable work = () -> {
            INDArray x = Nd4j.rand(DataType.FLOAT, 64, 26);
            INDArray row = Nd4j.rand(DataType.FLOAT, 1, 26);
            while (System.currentTimeMillis() < end) {
                for (int i = 0; i < 1000; i++) {
                    x.subiRowVector(row).addiRowVector(row);
                }
                ops.addAndGet(2000);
            }
        };
        Thread a = new Thread(work, "ops-1");
        Thread b = new Thread(work, "ops-2");
        Thread gc = new Thread(() -> {
            while (System.currentTimeMillis() < end) {
                System.gc();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "gc");
        gc.setDaemon(true);
        a.start();
        b.start();
        gc.start();
        a.join();
        b.join();
        System.out.printf("survived %d s, %,d broadcast ops%n", seconds, ops.get());
    }
}
