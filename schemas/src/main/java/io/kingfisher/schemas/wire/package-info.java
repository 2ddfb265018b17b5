/** Confluent wire format (magic byte, schema id, Avro binary) and the Kafka serializers that speak it. */
package io.kingfisher.schemas.wire;
