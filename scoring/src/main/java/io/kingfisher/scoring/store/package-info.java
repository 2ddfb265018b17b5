/** Where model payloads live: the {@link io.kingfisher.scoring.store.ModelStore} and its Flink FileSystem implementation. */
package io.kingfisher.scoring.store;
