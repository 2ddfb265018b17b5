/**
 * DL4J extensions that are stored inside model payloads (loss and input scaling); their class
 * names and JSON fields are part of the payload format and must stay stable.
 */
package io.kingfisher.scoring.nn;
