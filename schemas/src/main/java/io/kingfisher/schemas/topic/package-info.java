/** Typed topics binding a topic name to its key and value serdes, and the topic names of Kingfisher's contracts. */
package io.kingfisher.schemas.topic;
