/** Generated Avro records of the clicks domain: impressions and clicks. */
package io.kingfisher.schemas.clicks;
