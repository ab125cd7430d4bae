/**
 * Recovery times arrive in two units: event times (createdAt, updatedAt, audit `at`,
 * timeline `at`) in epoch milliseconds, schedule times (dueAt, nextDueAt,
 * firstFailureAt) in Unix seconds, as the core stores them.
 */
export const whenMs = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : new Date(ms).toLocaleString());
export const whenSec = (sec: number | null | undefined): string => (sec === null || sec === undefined ? '—' : new Date(sec * 1000).toLocaleString());
