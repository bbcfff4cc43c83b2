/**
 * Reconciliation: from the states of the changed paths (each side's archive entry and current entry) and a
 * {@link jsync.core.reconcile.Policy}, a {@link jsync.core.reconcile.Plan} of items, each a direction
 * (propagate one way, archive-only, conflict, problem) with its reason.
 *
 * <p>Pure: no I/O, no clock, no logging that affects decisions. The decision table is in
 * {@code docs/reconcile.md}; the tests run it over every combination of entry kinds and changes.
 */
package jsync.core.reconcile;
