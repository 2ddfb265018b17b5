/** Plain-Java drift detectors: Page-Hinkley on a loss stream and population stability of features. */
package io.kingfisher.trainer.drift;
