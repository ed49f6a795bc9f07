import { AppError } from './errors';

/**
 * Date filters as merchants type them. A bare date (2024-06-15) is a calendar day in Kenya
 * (East Africa Time, UTC+03:00 all year), because that is the day on the customer's M-Pesa SMS;
 * a full ISO timestamp with Z or an offset is taken exactly.
 */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;
const EAT_OFFSET = '+03:00';
const DAY_MS = 24 * 3600_000;

/**
 * The instants a filter or cursor may name: from 1900 to the end of year 9999. Postgres
 * timestamps have no year 0 and JavaScript and Postgres disagree on years before 1 and after 9999;
 * no payment is older than this range or newer.
 */
export const EARLIEST_INSTANT = new Date('1900-01-01T00:00:00+03:00'); // the first day, in East Africa Time like bare dates
export const LATEST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

/** Whether `at` is a real instant within EARLIEST_INSTANT..LATEST_INSTANT. */
export const isInstantInRange = (at: Date) =>
  !Number.isNaN(at.getTime()) && at >= EARLIEST_INSTANT && at <= LATEST_INSTANT;

/** A bound on created_at: rows at or after `from`; rows before (or, for a timestamp, at or before) `to`. */
export interface DateRange {
  from: Date | null;
  to: { at: Date; inclusive: boolean } | null;
}

/** new Date rolls 2024-02-30 over to 1 March; a day that does not exist is a typo, not a filter. */
function isCalendarDay(ymd: string): boolean {
  const day = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === ymd;
}

function parseBound(text: string, field: string): { at: Date; dateOnly: boolean } {
  const dateOnly = DATE_ONLY.test(text);
  if ((dateOnly || DATE_TIME.test(text)) && isCalendarDay(text.slice(0, 10))) {
    const at = new Date(dateOnly ? `${text}T00:00:00${EAT_OFFSET}` : text);
    if (isInstantInRange(at)) return { at, dateOnly };
    if (!Number.isNaN(at.getTime()))
      throw new AppError('validation_failed', `${field} must be from 1900-01-01 to 9999-12-31`, { field });
  }
  throw new AppError(
    'validation_failed',
    `${field} must be a date (2024-06-15, a day in East Africa Time) or an ISO timestamp with a time zone (2024-06-15T09:30:00Z)`,
    { field },
  );
}

/** Parses `from` and `to` (either may be absent); `to` of a bare date includes that whole day. */
export function parseDateRange(from: string | undefined, to: string | undefined): DateRange {
  const start = from ? parseBound(from, 'from').at : null;
  let end: DateRange['to'] = null;
  if (to) {
    const bound = parseBound(to, 'to');
    end = bound.dateOnly
      ? { at: new Date(bound.at.getTime() + DAY_MS), inclusive: false }
      : { at: bound.at, inclusive: true };
  }
  if (start && end && (end.inclusive ? end.at < start : end.at <= start)) {
    throw new AppError('validation_failed', 'to must not be before from', { field: 'to' });
  }
  return { from: start, to: end };
}
