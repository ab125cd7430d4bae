import { badRequest } from '../errors';

/**
 * The opaque `after` cursor of the customers page (keyset pagination): the sort
 * it belongs to and the last row's sort value and id. The next page starts
 * strictly after that (value, id), found by the (column, customer_id) index at
 * any depth, and rows inserted or removed meanwhile shift nothing.
 */
export interface Cursor {
  sort: string;
  dir: 'asc' | 'desc';
  value: string | number | null;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.dir, c.value, c.id]), 'utf8').toString('base64url');
}

const stale = () => badRequest('This page of customers is out of date: go back to the first page.');

/** The cursor, checked against the request's sort (a cursor of another sort or a damaged one is refused in words). */
export function decodeCursor(text: string, sort: string, dir: 'asc' | 'desc'): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw stale();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw stale();
  const [s, d, value, id] = parsed as unknown[];
  if (s !== sort || d !== dir || typeof id !== 'string') throw stale();
  if (value !== null && typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) throw stale();
  return { sort, dir, value, id };
}
