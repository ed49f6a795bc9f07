/**
 * Keyset paging, for every list that pages: a page continues strictly after the last row of the
 * previous one in the list's order, so rows added meanwhile are neither skipped nor repeated.
 */

/** A key column, or a column and the placeholder its value needs (`['t.created_at', '?::timestamptz']`). */
export type KeyColumn = string | readonly [column: string, placeholder: string];

export type KeyDirection = 'asc' | 'desc';

const columnOf = (key: KeyColumn) => (typeof key === 'string' ? key : key[0]);
const placeholderOf = (key: KeyColumn) => (typeof key === 'string' ? '?' : key[1]);

/**
 * The SQL condition "after this cursor" for rows ordered by `keys` in `direction`, and its
 * parameters; null for the first page (no cursor). `after` holds one value per key column.
 */
export function keysetAfter(
  keys: readonly KeyColumn[],
  direction: KeyDirection,
  after: readonly unknown[] | undefined,
): { sql: string; params: unknown[] } | null {
  if (after === undefined) return null;
  if (after.length !== keys.length) throw new Error(`A cursor of ${keys.length} values was expected`);
  const row = (parts: string[]) => (parts.length === 1 ? parts[0]! : `(${parts.join(', ')})`);
  return {
    sql: `${row(keys.map(columnOf))} ${direction === 'desc' ? '<' : '>'} ${row(keys.map(placeholderOf))}`,
    params: [...after],
  };
}

/** The `order by` list for the key columns. */
export function keysetOrder(keys: readonly KeyColumn[], direction: KeyDirection): string {
  return keys.map((key) => `${columnOf(key)} ${direction}`).join(', ');
}

/** The MikroORM filter "after this id" for lists ordered by a serial id; {} for the first page. */
export function keysetAfterId(direction: KeyDirection, afterId: number | undefined) {
  return afterId === undefined ? {} : { id: direction === 'desc' ? { $lt: afterId } : { $gt: afterId } };
}

/**
 * Cuts the `limit + 1` rows a paged query fetched to one page. `last` is the row the next page
 * continues after, or undefined on the last page.
 */
export function keysetPage<T>(rows: T[], limit: number): { page: T[]; last: T | undefined } {
  const page = rows.slice(0, limit);
  return { page, last: rows.length > limit ? page[page.length - 1] : undefined };
}
