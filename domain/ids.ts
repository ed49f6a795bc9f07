/** Largest id a Postgres `integer` (serial) column holds. */
export const MAX_SERIAL_ID = 2_147_483_647;

/** Reads a transaction id from a URL segment: a positive integer that fits the id column, else null. */
export function parseTransactionId(text: string | undefined): number | null {
  if (!text || !/^[1-9]\d{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_SERIAL_ID ? id : null;
}
