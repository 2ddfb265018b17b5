/** Generated Avro records of the fraud domain: payment transactions and their labels. */
package io.kingfisher.schemas.fraud;
