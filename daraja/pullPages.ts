import type { MpesaRecordClient, PulledTransaction, PullRegisterRequest } from './recordTypes';

/** Pages read at most per pull: 50 pages of Daraja's rows (100 each in the simulator) is a busy till's 48 hours. */
const MAX_PAGES = 50;

/** Every credit of one shortcode between two instants, as Pull Transactions lists it. */
export interface PulledCredits {
  transactions: PulledTransaction[];
  /** Rows Daraja sent that could not be read (no receipt, a fraction of a shilling): counted, never guessed. */
  unreadable: number;
}

/** Reads M-Pesa's Pull Transactions for any shortcode, registering each shortcode first. */
export interface PullReader {
  /**
   * Every credit to `shortcode` in [`start`, `end`] (at most M-Pesa's last 48 hours), page by page
   * (OffSetValue = rows read so far) until a page comes back empty. Registers the shortcode
   * (`/pulltransactions/v1/register`) before its first query in this process; Daraja answers a
   * repeated registration "already registered", which counts as done. Throws the client's
   * DarajaError (retryable / terminal) or InvalidPushRequestError (a window past the 48 hours).
   */
  pull(shortcode: string, start: Date, end: Date): Promise<PulledCredits>;
}

/**
 * A PullReader over one environment's record client; `registration` is the NominatedNumber and
 * CallBackURL Daraja's register call requires (Safaricom's Pull Transactions page).
 */
export function createPullReader(
  client: MpesaRecordClient,
  registration: Omit<PullRegisterRequest, 'shortcode'>,
): PullReader {
  const registered = new Set<string>();
  return {
    async pull(shortcode, start, end) {
      if (!registered.has(shortcode)) {
        await client.registerPull({ shortcode, ...registration });
        registered.add(shortcode);
      }
      const transactions: PulledTransaction[] = [];
      let unreadable = 0;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const answer = await client.pullTransactions({
          shortcode,
          startDate: start,
          endDate: end,
          offset: transactions.length + unreadable,
        });
        transactions.push(...answer.transactions);
        unreadable += answer.unreadable;
        if (answer.transactions.length + answer.unreadable === 0) break;
      }
      return { transactions, unreadable };
    },
  };
}
