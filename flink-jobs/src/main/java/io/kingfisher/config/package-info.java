/** Settings declared once (key, type, default, check), parsed and validated when a job is built. */
package io.kingfisher.config;
