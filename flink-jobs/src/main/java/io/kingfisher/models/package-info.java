/** Making and publishing model versions from the command line: the warm-start model trained on history. */
package io.kingfisher.models;
