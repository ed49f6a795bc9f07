/**
 * Daraja timestamps are Kenyan wall-clock time (Africa/Nairobi, UTC+3, no daylight saving).
 * Computed by shifting the instant, so the result never depends on the machine's TZ:
 * a server in UTC that formats its local time gets "Wrong credentials" for three hours a day.
 */
const NAIROBI_OFFSET_MS = 3 * 60 * 60 * 1000;

const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The instant as `YYYYMMDDHHmmss` in Nairobi time. */
export function nairobiTimestamp(instant: Date): string {
  const t = new Date(instant.getTime() + NAIROBI_OFFSET_MS);
  return (
    pad(t.getUTCFullYear(), 4) +
    pad(t.getUTCMonth() + 1) +
    pad(t.getUTCDate()) +
    pad(t.getUTCHours()) +
    pad(t.getUTCMinutes()) +
    pad(t.getUTCSeconds())
  );
}

/** Reads a `YYYYMMDDHHmmss` Nairobi timestamp back into an instant; null if it is not a real date and time. */
export function parseNairobiTimestamp(timestamp: string): Date | null {
  const m = TIMESTAMP.exec(timestamp);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  // Date.UTC rolls 31 February into March; a round trip catches impossible dates.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return null;
  }
  return new Date(utc - NAIROBI_OFFSET_MS);
}

/** The STK Password: base64(shortcode + passkey + timestamp), with the same timestamp sent in the body. */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, 'utf8').toString('base64');
}
