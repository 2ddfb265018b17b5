/**
 * A plain-Java reference forward pass of the scoring networks, laid out and ordered the way a GPU (cuBLAS)
 * backend would compute them, used to check such a backend for parity with ND4J. See
 * {@link io.kingfisher.scoring.reference.ReferenceNetwork} for the computation order.
 */
package io.kingfisher.scoring.reference;
