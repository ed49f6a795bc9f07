/**
 * RFC 4180 CSV: fields joined by commas, rows by CRLF; a field holding a comma, quote, CR or LF is
 * quoted, with quotes doubled.
 */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * Text that a spreadsheet would run as a formula (=, +, -, @, or a leading tab or CR) is prefixed
 * with an apostrophe. External references and descriptions come from outside, and opening an
 * export must never execute them (OWASP "CSV injection"). Numbers are written as numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line: the fields joined by commas, ending in CRLF (so lines can be written one page at a time). */
export function csvLine(row: readonly CsvValue[]): string {
  return `${row.map(csvField).join(',')}\r\n`;
}

/** A whole CSV document: the header row, then one row per record, each line ending in CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map(csvLine).join('');
}
