import { AppError } from './errors';
import type { Kes } from './money';
import type { StatementCredit } from './statementMatch';

/**
 * The M-Pesa organisation-portal statement (the CSV finance teams export from
 * org.ke.m-pesa.com): its table's header, in Safaricom's column names. Rows above the header
 * (account holder, short code, period) are skipped.
 */
export const STATEMENT_COLUMNS = [
  'Receipt No.',
  'Completion Time',
  'Initiation Time',
  'Details',
  'Transaction Status',
  'Paid In',
  'Withdrawn',
  'Balance',
  'Balance Confirmed',
  'Reason Type',
  'Other Party Info',
  'Linked Transaction ID',
  'A/C No.',
] as const;

/** Columns a statement must have to be reconciled; the others are optional. */
const REQUIRED = ['Receipt No.', 'Completion Time', 'Transaction Status', 'Paid In'] as const;

/** How many rows above the header are looked through for it. */
export const STATEMENT_PREAMBLE_ROWS = 30;

/** Refused statement content: a 400 `validation_failed` naming the row (1-based, as a spreadsheet counts). */
export const statementError = (message: string, row?: number) =>
  new AppError('validation_failed', row === undefined ? message : `Row ${row}: ${message}`, row ? { row } : undefined);

const AMOUNT = /^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;

/**
 * A statement amount ("1,250.00", "1250", "-500.00", "") as whole KES; empty is 0. A fraction of a
 * shilling is refused: M-Pesa moves whole shillings, so "10.50" is not a statement of this till.
 */
export function parseStatementAmount(text: string, row: number, column: string): Kes {
  const t = text.trim().replace(/^KES\s*/i, '');
  if (t === '') return 0;
  const m = AMOUNT.exec(t);
  if (!m) throw statementError(`${column} "${clip(text)}" is not an amount`, row);
  if (m[1] !== undefined && /[1-9]/.test(m[1])) throw statementError(`${column} ${t} is not whole shillings`, row);
  const n = Number(t.replace(/,/g, '').replace(/\.\d+$/, ''));
  if (!Number.isSafeInteger(n)) throw statementError(`${column} ${t} is out of range`, row);
  return n;
}

const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_FIRST = /^(\d{2})[-/.](\d{2})[-/.](\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A statement time, Nairobi wall time as the portal writes it ("2026-12-07 14:23:11" or day first,
 * "07-12-2026 14:23:11", Kenyan order), as an instant. Anything else, or an impossible date, is refused.
 */
export function parseStatementTime(text: string, row: number, column: string): Date {
  const t = text.trim();
  let parts: string[] | null = null;
  const iso = ISO_LIKE.exec(t);
  if (iso) parts = [iso[1]!, iso[2]!, iso[3]!, iso[4]!, iso[5]!, iso[6] ?? '00'];
  const dayFirst = DAY_FIRST.exec(t);
  if (dayFirst) parts = [dayFirst[3]!, dayFirst[2]!, dayFirst[1]!, dayFirst[4]!, dayFirst[5]!, dayFirst[6] ?? '00'];
  if (!parts) throw statementError(`${column} "${clip(text)}" is not a date and time (YYYY-MM-DD HH:mm:ss)`, row);
  const [y, mo, d, h, mi, s] = parts;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}+03:00`);
  // Date rolls 31 November into December: an impossible date is refused, not moved.
  const back = new Date(at.getTime() + 3 * 3600_000).toISOString();
  if (Number.isNaN(at.getTime()) || back.slice(0, 10) !== `${y}-${mo}-${d}`) {
    throw statementError(`${column} "${clip(text)}" is not a real date`, row);
  }
  return at;
}

const RECEIPT = /^[A-Z0-9]{8,20}$/;

/** What reading a statement's rows gives: its credits, and how many other lines it skipped. */
export interface StatementRead {
  credits: StatementCredit[];
  /** Lines that are not completed credits (withdrawals, charges, failed or pending lines). */
  skipped: number;
}

/**
 * Reads a statement's rows one by one (as a CSV parser yields them): finds the header row, then turns
 * each completed line with Paid In > 0 into a `StatementCredit`. Lines that are not credits
 * (Withdrawn, charges) or not `Completed` are counted as skipped. Errors are `validation_failed`
 * with the row number: a missing required column, a missing receipt, a bad time or amount.
 */
export class StatementRowReader {
  #header: Map<string, number> | null = null;
  #row = 0;
  readonly #credits: StatementCredit[] = [];
  #skipped = 0;

  /** Takes the next row of cells. */
  push(cells: string[]): void {
    this.#row += 1;
    if (!this.#header) {
      this.#findHeader(cells);
      return;
    }
    if (cells.every((c) => c.trim() === '')) return;
    const get = (name: string) => {
      const i = this.#header!.get(name);
      return i === undefined ? '' : (cells[i] ?? '').trim();
    };
    const row = this.#row;
    const paidIn = parseStatementAmount(get('Paid In'), row, 'Paid In');
    const status = get('Transaction Status');
    if (paidIn <= 0 || status.toLowerCase() !== 'completed') {
      if (this.#header.has('Withdrawn')) parseStatementAmount(get('Withdrawn'), row, 'Withdrawn');
      this.#skipped += 1;
      return;
    }
    const receipt = get('Receipt No.').toUpperCase();
    if (!RECEIPT.test(receipt)) throw statementError(`Receipt No. "${clip(receipt)}" is not an M-Pesa receipt`, row);
    this.#credits.push({
      receipt,
      completedAt: parseStatementTime(get('Completion Time'), row, 'Completion Time'),
      amount: paidIn,
      accountReference: get('A/C No.').slice(0, 40) || null,
      payer: get('Other Party Info').slice(0, 100) || null,
      details: get('Details').slice(0, 200),
    });
  }

  /** The credits read; refuses a statement whose header never came. */
  finish(): StatementRead {
    if (!this.#header) {
      throw statementError(
        `No statement table found: expected a header row with ${REQUIRED.join(', ')} (the M-Pesa organisation portal's CSV export)`,
      );
    }
    return { credits: this.#credits, skipped: this.#skipped };
  }

  #findHeader(cells: string[]): void {
    const names = cells.map((c) => c.trim().replace(/^\ufeff/, ''));
    if (names.includes('Receipt No.')) {
      const missing = REQUIRED.filter((r) => !names.includes(r));
      if (missing.length) throw statementError(`The statement has no ${missing.join(', ')} column`, this.#row);
      this.#header = new Map(names.map((n, i) => [n, i] as const).reverse());
      return;
    }
    if (this.#row >= STATEMENT_PREAMBLE_ROWS) {
      throw statementError(`No "Receipt No." header in the first ${STATEMENT_PREAMBLE_ROWS} rows`, this.#row);
    }
  }
}

function clip(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}
