import { INVARIANT_DOCS, INVARIANTS, type RowResult } from './invariants';
import type { FaultCheck } from './longOutage';

/** What the clients saw in one row (for context; not an invariant). */
export interface ClientTally {
  payments: number;
  /** 200 or 202 with a transaction id. */
  accepted: number;
  /** A documented refusal (4xx). */
  refused: number;
  /** No usable answer after the client's last attempt (network error or 5xx). */
  gaveUp: number;
}

export interface MatrixRow {
  fault: string;
  clients: ClientTally;
  result: RowResult;
  /** Checks the row's fault made itself, beyond the invariants (most faults make none). */
  checks?: FaultCheck[];
}

export const violationsOf = (row: MatrixRow) =>
  INVARIANTS.reduce((sum, name) => sum + row.result[name].violations, 0) +
  (row.checks ?? []).filter((check) => !check.held).length;

/** The faults' own checks, one line each (held or BROKEN, and what was seen); empty when no fault made any. */
export function faultChecks(rows: MatrixRow[]): string {
  return rows
    .flatMap((row) =>
      (row.checks ?? []).map((c) => `- ${row.fault} × ${c.name}: ${c.held ? 'held' : '**BROKEN**'} (${c.detail})`),
    )
    .join('\n');
}

/** `0/26` when it held, `3/26` in bold (Markdown) when it broke, `–` when nothing was checked. */
function cell(violations: number, checked: number, bold: (s: string) => string): string {
  if (checked === 0) return '–';
  return violations === 0 ? `0/${checked}` : `${bold(String(violations))}/${checked}`;
}

/** The fault × invariant matrix as a Markdown table; each cell is violations/checked. */
export function markdownMatrix(rows: MatrixRow[]): string {
  const header = ['fault', 'payments (accepted / refused / gave up)', ...INVARIANTS];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const c = row.clients;
    const cells = INVARIANTS.map((name) =>
      cell(row.result[name].violations, row.result[name].checked, (s) => `**${s}**`),
    );
    lines.push(`| ${row.fault} | ${c.payments} (${c.accepted} / ${c.refused} / ${c.gaveUp}) | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The same matrix for a terminal: fixed-width columns, violations marked with `!`. */
export function textMatrix(rows: MatrixRow[]): string {
  const header = ['fault', 'payments', ...INVARIANTS];
  const body = rows.map((row) => [
    row.fault,
    `${row.clients.payments} (${row.clients.accepted}/${row.clients.refused}/${row.clients.gaveUp})`,
    ...INVARIANTS.map((name) => cell(row.result[name].violations, row.result[name].checked, (s) => `!${s}`)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The invariants' one-line meanings, for the report's legend. */
export function legend(): string {
  return INVARIANTS.map((name) => `- \`${name}\`: ${INVARIANT_DOCS[name]}`).join('\n');
}

/** Example offenders per row and invariant, for the report. */
export function findings(rows: MatrixRow[]): string {
  const out: string[] = [];
  for (const row of rows) {
    for (const name of INVARIANTS) {
      const r = row.result[name];
      if (r.violations > 0) out.push(`- ${row.fault} × ${name}: ${r.examples.join('; ')}`);
    }
    for (const check of row.checks ?? []) if (!check.held) out.push(`- ${row.fault} × ${check.name}: ${check.detail}`);
  }
  return out.length ? out.join('\n') : 'No violations.';
}
