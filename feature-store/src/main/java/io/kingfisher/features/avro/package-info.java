/** Binds a feature spec to an Avro event schema: reads identity, time and input fields out of a record. */
package io.kingfisher.features.avro;
