package io.gatehouse.protocol;

/** The newest offset of a channel within its epoch (0 before the first publication). */
public record StreamPosition(long offset, String epoch) {}
