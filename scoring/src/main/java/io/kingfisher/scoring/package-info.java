/**
 * Serving-side maths: the {@link io.kingfisher.scoring.Model} abstraction over DL4J networks,
 * how those networks are built ({@link io.kingfisher.scoring.Architectures}) and encoded
 * ({@link io.kingfisher.scoring.ModelCodec}); no Flink operators.
 */
package io.kingfisher.scoring;
