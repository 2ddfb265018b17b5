/** Online feature lookup: the latest feature vector per entity from {@code <domain>.features}, served over HTTP. */
package io.kingfisher.streams.features;
