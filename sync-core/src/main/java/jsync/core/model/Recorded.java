package jsync.core.model;

/** One archive record: what a replica held at {@code path} when it was last synchronized. */
public record Recorded(RelPath path, Observed observed) {}
