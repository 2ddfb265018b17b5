/** Model snapshots: building, signing and verifying the metadata, and loading a verified model. */
package io.kingfisher.scoring.snapshot;
