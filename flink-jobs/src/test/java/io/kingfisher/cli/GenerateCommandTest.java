package io.kingfisher.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kingfisher generate} rejects bad flags before it connects to anything, naming the flag and the problem. */
class GenerateCommandTest {
    private static final String[] KAFKA = {"--bootstrap", "127.0.0.1:1", "--registry", "http://127.0.0.1:1"};

    private static String fails(String... args) {
        String[] all = new String[args.length + KAFKA.length + 1];
        all[0] = "generate";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(KAFKA, 0, all, 1 + args.length, KAFKA.length);
        StringWriter err = new StringWriter();
        int code = Kingfisher.run(all, new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        return err.toString();
    }

    @Test
    void badFlagsAreNamed() {
        assertTrue(fails("--domain", "weather", "--rate", "10", "--duration", "1s").contains("unknown domain 'weather'"));
        assertTrue(fails("--domain", "fraud", "--rate", "0", "--duration", "1s").contains("--rate: must be > 0"));
        assertTrue(fails("--domain", "fraud", "--rate", "lots", "--duration", "1s").contains("--rate: expected a number"));
        assertTrue(fails("--domain", "fraud", "--rate", "10", "--duration", "soon").contains("--duration"));
        assertTrue(fails("--domain", "fraud", "--rate", "10", "--duration", "1s", "--time-scale", "-5")
                .contains("--time-scale: must be > 0"));
        assertTrue(fails("--domain", "fraud", "--rate", "10", "--duration", "1s", "--delayed-share", "2")
                .contains("--delayed-share: must be in [0, 1]"));
    }

    @Test
    void badDriftSpecsSayWhatIsWrong() {
        String err = fails("--domain", "clicks", "--rate", "10", "--duration", "1s", "--drift", "sudden@1h");
        assertTrue(err.contains("--drift: drift point 'sudden@1h': unknown kind 'sudden'; expected abrupt or gradual"), err);
        err = fails("--domain", "clinical", "--rate", "10", "--duration", "1s", "--drift", "gradual@2h");
        assertTrue(err.contains("a gradual drift needs a ramp"), err);
    }

    @Test
    void aScaleThatLeavesNoPopulationIsRefused() {
        String err = fails("--domain", "clinical", "--rate", "1", "--duration", "1s", "--time-scale", "100000000");
        assertTrue(err.contains("raise the rate or lower the time scale"), err);
    }

    @Test
    void bootstrapAndRegistryAreRequired() {
        StringWriter err = new StringWriter();
        int code = Kingfisher.run(new String[]{"generate", "--domain", "fraud", "--rate", "10", "--duration", "1s"},
                new PrintWriter(err, true));
        assertEquals(2, code);
        assertTrue(err.toString().contains("--bootstrap") && err.toString().contains("--registry"), err.toString());
    }
}
