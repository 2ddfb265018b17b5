/** A GPU backend for scoring: {@link io.kingfisher.scoring.Model}s run with cuBLAS and NVRTC kernels through JavaCPP's CUDA presets, and the choice of backend ({@code scoring.backend}). */
package io.kingfisher.scoring.cuda;
