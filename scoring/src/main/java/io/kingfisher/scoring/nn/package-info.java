/**
 * DL4J extensions that are stored inside model payloads (loss, input scaling, embedded id columns); their class
 * names and JSON fields are part of the payload format and must stay stable. The arithmetic of the embedding layer
 * is the plain {@link io.kingfisher.scoring.nn.IdEmbeddingKernel}.
 */
package io.kingfisher.scoring.nn;
