/** Per-score attributions and global feature importance (to come with the explanations work). */
package io.kingfisher.explain;
