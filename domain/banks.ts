/**
 * Kenyan banks and the M-Pesa paybill each one collects deposits on. A bank channel is an STK push
 * to the bank's paybill with the merchant's account number as AccountReference: the bank credits
 * that account. Check a new entry against the bank's own published paybill before adding it; a
 * wrong number sends customers' money to someone else.
 */
export interface Bank {
  name: string;
  paybill: string;
}

export const KENYAN_BANKS: readonly Bank[] = Object.freeze(
  [
    { name: 'Absa Bank Kenya', paybill: '303030' },
    { name: 'Bank of Africa Kenya', paybill: '972900' },
    { name: 'Co-operative Bank', paybill: '400200' },
    { name: 'Diamond Trust Bank', paybill: '516600' },
    { name: 'Ecobank Kenya', paybill: '700201' },
    { name: 'Equity Bank', paybill: '247247' },
    { name: 'Family Bank', paybill: '222111' },
    { name: 'Gulf African Bank', paybill: '985050' },
    { name: 'HFC Bank', paybill: '100400' },
    { name: 'I&M Bank', paybill: '542542' },
    { name: 'KCB Bank', paybill: '522522' },
    { name: 'National Bank of Kenya', paybill: '625625' },
    { name: 'NCBA Bank', paybill: '880100' },
    { name: 'Prime Bank', paybill: '982800' },
    { name: 'Sidian Bank', paybill: '111999' },
    { name: 'Stanbic Bank', paybill: '600100' },
    { name: 'Standard Chartered Bank', paybill: '329329' },
  ].map((bank) => Object.freeze(bank)),
);

const comparable = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

/** The bank with this name (case and spacing ignored), or undefined. */
export function findBank(name: string): Bank | undefined {
  const wanted = comparable(name);
  return KENYAN_BANKS.find((bank) => comparable(bank.name) === wanted);
}
