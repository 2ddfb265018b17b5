/** Generated Avro records of the clinical domain: vital-sign observations and patient outcomes. */
package io.kingfisher.schemas.clinical;
