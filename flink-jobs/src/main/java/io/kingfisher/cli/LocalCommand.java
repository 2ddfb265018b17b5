package io.kingfisher.cli;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code kingfisher local}: the whole stack on this machine until interrupted. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Start a Kafka broker, a schema registry and the scoring job; run until interrupted.")
final class LocalCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack;

    @Option(names = "--domain", description = "domain to run (default: ${DEFAULT-VALUE})", defaultValue = "fraud")
    String domainName;

    @Override
    public Integer call() throws Exception {
        Domain domain = BuiltInDomains.byName(domainName);
        LocalStack running = Launcher.launch(stack, domain, System.out);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping…");
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e);
            } finally {
                stack.cleanUp();
                done.countDown();
            }
        }, "kingfisher-shutdown"));
        System.out.printf("Running. Produce Avro (Confluent wire format) to %s; read %s. Ctrl-C to stop.%n",
                domain.eventsTopic(), domain.scoresTopic());
        done.await();
        return 0;
    }
}
