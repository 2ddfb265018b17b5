/** Domains as data: what a fraud, clicks or clinical deployment (or a user's own) declares; operators never name one. */
package io.kingfisher.domain;
