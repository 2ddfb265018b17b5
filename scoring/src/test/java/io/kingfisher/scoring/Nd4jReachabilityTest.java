package io.kingfisher.scoring;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nd4jReachabilityTest {

    @Test
    void theCpuExecutionerIsFencedOnceAndOpsStillComputeTheSame() {
        assertTrue(Nd4jReachability.install());
        OpExecutioner fenced = Nd4j.getExecutioner();
        assertTrue(Nd4jReachability.isFenced(fenced));
        assertTrue(Nd4jReachability.install(), "a second install keeps the fence");
        assertSame(fenced, Nd4j.getExecutioner(), "and does not fence the fence");

        INDArray x = Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}});
        INDArray row = Nd4j.createFromArray(new float[][] {{1, 1, 1}});
        x.subiRowVector(row).muliRowVector(Nd4j.createFromArray(new float[][] {{2, 2, 2}})); // broadcast ops
        assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10}, x.dup().data().asFloat());
        assertArrayEquals(new float[] {6, 10, 14}, x.sum(0).data().asFloat()); // a reduce op with axes
        assertEquals(2L, x.argMax(1).getLong(0)); // an index op
    }

    @Test
    void anOpsFailureReachesTheCallerAsItself() {
        Nd4jReachability.install();
        INDArray x = Nd4j.zeros(DataType.FLOAT, 2, 3);
        RuntimeException e = assertThrows(RuntimeException.class, () -> x.addiRowVector(Nd4j.zeros(DataType.FLOAT, 1, 4)));
        assertTrue(!(e instanceof java.lang.reflect.UndeclaredThrowableException), "not wrapped by the proxy: " + e);
    }
}
