/**
 * jsync's core: the synchronization pipeline for two replicas, free of any transport, terminal or OS-event
 * code. Stages live in sub-packages: {@code model} (shared vocabulary), {@code profile}, {@code scan},
 * {@code archive}, {@code reconcile}, {@code apply} and {@code sync}, which drives them.
 */
package jsync.core;
