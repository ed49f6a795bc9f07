const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Money is whole KES: `KES 1,250`; a debit reads `−KES 6`, with a true minus sign (U+2212) before the currency. */
export const kes = (amount: number) => `${amount < 0 ? '\u2212' : ''}KES ${wholeNumber.format(Math.abs(amount))}`;

const NAIROBI = 'Africa/Nairobi';
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: NAIROBI,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: NAIROBI,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** A timestamp as Kenyans read it: Nairobi time, whatever the browser's zone. */
export const dateTime = (iso: string | null) => (iso ? dateTimeFormat.format(new Date(iso)) : '—');
export const timeOfDay = (iso: string) => timeFormat.format(new Date(iso));

/** Hour of the day in Nairobi (0–23). */
export const nairobiHour = (now: Date) =>
  Number(new Intl.DateTimeFormat('en-GB', { timeZone: NAIROBI, hour: '2-digit', hourCycle: 'h23' }).format(now));

/** "Good morning" before noon, "Good afternoon" until five, then "Good evening" (Nairobi time). */
export function greeting(now: Date): string {
  const hour = nairobiHour(now);
  return hour < 12 ? 'Good morning' : hour < 17 ? 'Good afternoon' : 'Good evening';
}

/** Today's date in Nairobi as YYYY-MM-DD (the API reads such a date as that whole day in EAT). */
export const nairobiDate = (now: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: NAIROBI }).format(now);
