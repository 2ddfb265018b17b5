/** Plain-Java drift detectors: Page-Hinkley and ADWIN on a loss stream, population stability of features. */
package io.kingfisher.trainer.drift;
