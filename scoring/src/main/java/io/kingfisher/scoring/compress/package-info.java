/**
 * int8 compression of served networks: symmetric per-channel quantization in plain Java
 * ({@link io.kingfisher.scoring.compress.Int8Quantizer}) and the {@code dl4j-int8-v1} payload that
 * carries a network's configuration with int8 weights ({@link io.kingfisher.scoring.compress.Int8Codec}).
 */
package io.kingfisher.scoring.compress;
