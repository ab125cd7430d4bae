/**
 * A page with unsaved work registers a guard here (#21): leaving the section asks it first.
 * The guard calls `proceed` when leaving is fine (nothing to lose, or the user chose to discard).
 */
export type LeaveGuard = (proceed: () => void) => void;

let current: LeaveGuard | null = null;

export function setLeaveGuard(guard: LeaveGuard | null): void {
  current = guard;
}

/** Leaves through the guard, if one is set. */
export function leave(proceed: () => void): void {
  if (current) current(proceed);
  else proceed();
}
