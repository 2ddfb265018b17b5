/** The {@code kingfisher} command line: the local stack, the demo, and their reports. */
package io.kingfisher.cli;
