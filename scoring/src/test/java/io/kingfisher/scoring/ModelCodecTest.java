package io.kingfisher.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelCodecTest {

    private final ModelCodec codec = new ModelCodec();

    @Test
    void roundTripGivesIdenticalOutputsAndKeepsTheUpdaterState() throws IOException {
        MultiLayerNetwork net = TestData.trainedMlp(6, new int[] {8, 4}, 21L);
        MultiLayerNetwork back = codec.decode(codec.encode(net));

        INDArray x = Nd4j.create(TestData.features(50, 6, 99L), new long[] {50, 6}, 'c');
        assertArrayEquals(net.output(x, false).toDoubleVector(), back.output(x, false).toDoubleVector(), 0.0);
        assertEquals(net.params(), back.params());
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        assertEquals(net.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
        assertEquals("mlp(6-8-4-1)", Architectures.describe(back));
    }

    @Test
    void forScoringTheUpdaterStateCanBeLeftOut() throws IOException {
        MultiLayerNetwork net = TestData.trainedMlp(6, new int[] {8, 4}, 21L);
        MultiLayerNetwork back = codec.decode(codec.encode(net), false);

        INDArray x = Nd4j.create(TestData.features(50, 6, 99L), new long[] {50, 6}, 'c');
        assertArrayEquals(net.output(x, false).toDoubleVector(), back.output(x, false).toDoubleVector(), 0.0);
        assertEquals(net.params(), back.params());
        assertEquals("mlp(6-8-4-1)", Architectures.describe(back));
    }

    @Test
    void decodedNetworkContinuesTrainingLikeTheOriginal() throws IOException {
        MultiLayerNetwork net = TestData.trainedMlp(3, new int[] {5}, 4L);
        MultiLayerNetwork back = codec.decode(codec.encode(net));
        INDArray x = Nd4j.create(TestData.features(32, 3, 5L), new long[] {32, 3}, 'c');
        INDArray y = Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 32, 1);
        net.fit(x, y);
        back.fit(x, y);
        assertArrayEquals(net.params().toDoubleVector(), back.params().toDoubleVector(), 1e-6);
    }

    @Test
    void garbageIsAnIOException() {
        assertThrows(IOException.class, () -> codec.decode(new byte[0]));
        assertThrows(IOException.class, () -> codec.decode("not a zip".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sha256HexMatchesTheStandardTestVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                ModelCodec.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)));
    }
}
