package io.kingfisher.scoring.nn;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeFeedForward;
import org.deeplearning4j.nn.conf.preprocessor.BaseInputPreProcessor;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A fixed, non-trainable first step of a network: {@code x' = (x - mean) / std} per feature.
 *
 * <p>The statistics are fitted once on the training set and stored in the network's
 * configuration, so the served model takes raw features and the same scaling is applied when the
 * network is fine-tuned or explained later. Backprop passes {@code epsilon / std} to the input,
 * so gradients with respect to the raw features are exact.
 *
 * <p>The row vectors used for the arithmetic are built lazily outside any workspace and cached;
 * building them twice under a race is harmless.
 */
public final class StandardizingPreProcessor extends BaseInputPreProcessor {

    private static final long serialVersionUID = 1L;

    @JsonProperty("mean")
    private final float[] mean;
    @JsonProperty("std")
    private final float[] std;

    @JsonIgnore
    private transient volatile INDArray[] rows;

    /**
     * @param mean per-feature mean, finite
     * @param std  per-feature standard deviation, finite and {@code > 0}, same length as {@code mean}
     */
    @JsonCreator
    public StandardizingPreProcessor(@JsonProperty("mean") float[] mean, @JsonProperty("std") float[] std) {
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std must be non-empty and of equal length, were "
                    + (mean == null ? "null" : mean.length) + " and " + (std == null ? "null" : std.length));
        }
        for (int i = 0; i < mean.length; i++) {
            if (!Float.isFinite(mean[i])) {
                throw new IllegalArgumentException("mean[" + i + "] must be finite, was " + mean[i]);
            }
            if (!(std[i] > 0) || !Float.isFinite(std[i])) {
                throw new IllegalArgumentException("std[" + i + "] must be finite and > 0, was " + std[i]);
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** @return a copy of the per-feature means */
    public float[] getMean() {
        return mean.clone();
    }

    /** @return a copy of the per-feature standard deviations */
    public float[] getStd() {
        return std.clone();
    }

    /** @return the number of features this step expects */
    @JsonIgnore
    public int size() {
        return mean.length;
    }

    /** Returns {mean, 1/std} as [1, n] row vectors of the given type, detached from workspaces. */
    private INDArray[] rows(DataType type) {
        INDArray[] r = rows;
        if (r == null || r[0].dataType() != type) {
            float[] inv = new float[std.length];
            for (int i = 0; i < inv.length; i++) {
                inv[i] = 1.0f / std[i];
            }
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                r = new INDArray[] {
                        Nd4j.createFromArray(mean).reshape(1, mean.length).castTo(type),
                        Nd4j.createFromArray(inv).reshape(1, inv.length).castTo(type)};
            }
            rows = r;
        }
        return r;
    }

    private void checkWidth(INDArray a, String what) {
        if (a.rank() != 2 || a.size(1) != mean.length) {
            throw new IllegalArgumentException(what + " must have shape [rows, " + mean.length + "], was "
                    + Arrays.toString(a.shape()));
        }
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        checkWidth(input, "input");
        INDArray[] r = rows(input.dataType());
        INDArray out = workspaceMgr.dup(ArrayType.ACTIVATIONS, input, 'c');
        return out.subiRowVector(r[0]).muliRowVector(r[1]);
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        checkWidth(output, "epsilon");
        INDArray[] r = rows(output.dataType());
        INDArray eps = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, output, 'c');
        return eps.muliRowVector(r[1]);
    }

    @Override
    public StandardizingPreProcessor clone() {
        return new StandardizingPreProcessor(mean, std);
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        if (!(inputType instanceof InputTypeFeedForward ff) || ff.getSize() != mean.length) {
            throw new IllegalStateException("expected feed-forward input of size " + mean.length + ", got " + inputType);
        }
        return inputType;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StandardizingPreProcessor other
                && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "StandardizingPreProcessor(n=" + mean.length + ")";
    }
}
