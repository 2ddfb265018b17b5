/** Domains declared in a YAML file over a CSV's columns: parsing, validation, schema derivation and row reading. */
package io.kingfisher.domain.declared;
