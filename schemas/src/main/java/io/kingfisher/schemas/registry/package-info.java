/** Schema Registry client speaking the Confluent REST API, with its metadata and error types. */
package io.kingfisher.schemas.registry;
