/**
 * Domains as data: what a fraud, clicks or clinical deployment (or a user's own) declares: events, features, model
 * shape, labels and the rule joining them to scores ({@link io.kingfisher.domain.LabelRule}), outputs. Operators
 * never name a domain. Also the bedside baseline of the clinical domain, {@link io.kingfisher.domain.News2}.
 */
package io.kingfisher.domain;
