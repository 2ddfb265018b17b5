/** Event simulators with a hidden ground truth, deterministic for a seed, to develop, test and benchmark against. */
package io.kingfisher.sim;
