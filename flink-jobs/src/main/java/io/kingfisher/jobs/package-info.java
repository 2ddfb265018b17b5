/** The Flink jobs' wiring (sources, thin operators, sinks) around the plain-Java maths of the other modules. */
package io.kingfisher.jobs;
