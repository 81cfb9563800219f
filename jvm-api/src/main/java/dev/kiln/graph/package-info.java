/**
 * What the tensor API records in the autograd graph: one {@link dev.kiln.graph.Op} record per differentiable op, with
 * the attributes its derivative rule needs, and the visitor the rule table implements. Not part of the backend SPI:
 * backends never see these records.
 */
package dev.kiln.graph;
