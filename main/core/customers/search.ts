/**
 * Search of the customers page: a customer id (cus_…) exactly, otherwise a
 * case-insensitive substring of the name or the email.
 *
 * Three characters or more: the FTS5 trigram index `customer_search`
 * (migration 19, kept in sync by triggers on customer_facts), so a search reads
 * only the matching customers. It folds case beyond ASCII too (É finds é);
 * lower() … LIKE, which it replaces, folded ASCII only. Shorter searches have no
 * trigram to look up and read the facts in the page's order (LIKE), stopping at
 * a full page.
 */
export interface SearchFilter {
  /** SQL over `f` (customer_facts) and its parameters. */
  where: string;
  params: (string | number)[];
  /** The search reads the index (few matching rows): sort them rather than walk the whole order. */
  indexed: boolean;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** An FTS5 query for the literal text as a substring of name or email. */
export const ftsPhrase = (text: string) => `{name email} : "${text.replace(/"/g, '""')}"`;

export function searchFilter(raw: string | undefined): SearchFilter | null {
  const search = raw?.trim();
  if (!search) return null;
  if (/^cus_[A-Za-z0-9]+$/.test(search)) return { where: 'f.customer_id = ?', params: [search], indexed: true };
  if ([...search].length >= 3) {
    return { where: 'f.rowid IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)', params: [ftsPhrase(search)], indexed: true };
  }
  const like = `%${escapeLike(search.toLowerCase())}%`;
  return { where: `(lower(f.email) LIKE ? ESCAPE '\\' OR lower(f.name) LIKE ? ESCAPE '\\' OR f.customer_id = ?)`, params: [like, like, search], indexed: false };
}
