/** Money in ImaraPay is always a whole number of Kenyan shillings (KES). */
export type Kes = number;

/** M-Pesa's own per-transaction limits (they win over the looser limit in older docs). */
export const MPESA_MIN_AMOUNT: Kes = 1;
export const MPESA_MAX_AMOUNT: Kes = 250_000;

export function isWholeKes(value: unknown): value is Kes {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Parses Daraja's Amount item, which may arrive as 500, "500" or "500.00", into whole KES. */
export function parseDarajaAmount(value: unknown): Kes | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  return Math.round(n);
}
