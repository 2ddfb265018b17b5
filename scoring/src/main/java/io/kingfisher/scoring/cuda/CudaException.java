package io.kingfisher.scoring.cuda;

/** A CUDA runtime, driver, cuBLAS or NVRTC call failed; the message names the call and the status. */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message the call and its status */
    public CudaException(String message) {
        super(message);
    }
}
