import { EntitySchema } from '@mikro-orm/core';
import type { MatchedBy, StatementLineClass, StatementSource } from '../../domain/statementMatch';
import type { Environment } from './merchant';

/**
 * One reconciliation of one merchant channel's Nairobi day against M-Pesa's record of it. A channel
 * and day may be reconciled again (a corrected statement, a later pull): the newest report is the
 * one that stands, the older ones stay as they were.
 */
export interface StatementReport {
  id: number;
  merchant: number;
  channel: number;
  environment: Environment;
  /** The Nairobi calendar day, `YYYY-MM-DD`. */
  day: string;
  source: StatementSource;
  /** The dashboard user who uploaded the statement; null for an API key or a pull. */
  uploadedBy: number | null;
  /** SHA-256 of the uploaded file, to tell two uploads apart; null for a pull. */
  fileSha256: string | null;
  matched: number;
  mpesaOnly: number;
  imarapayOnly: number;
  amountDiffers: number;
  /** Repeated lines of the source that were not reconciled again (same receipt). */
  ignored: number;
  createdAt: Date;
}

export const StatementReportSchema = new EntitySchema<StatementReport>({
  name: 'StatementReport',
  tableName: 'statement_reports',
  indexes: [{ properties: ['channel', 'day', 'id'] }, { properties: ['merchant', 'id'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true },
    channel: { kind: 'm:1', entity: 'Channel', mapToPk: true },
    environment: { type: 'string', length: 20 },
    day: { type: 'date' },
    source: { type: 'string', length: 20 },
    uploadedBy: { type: 'integer', nullable: true },
    fileSha256: { type: 'string', length: 64, nullable: true },
    matched: { type: 'integer' },
    mpesaOnly: { type: 'integer' },
    imarapayOnly: { type: 'integer' },
    amountDiffers: { type: 'integer' },
    ignored: { type: 'integer' },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});

/** One line of a report: a credit, a payment, or both, and how they reconcile. */
export interface StatementReportLine {
  id: number;
  report: number;
  class: StatementLineClass;
  receipt: string | null;
  /** When M-Pesa completed the credit. */
  completedAt: Date | null;
  /** Whole KES M-Pesa credited. */
  amount: number | null;
  accountReference: string | null;
  /** The payer as M-Pesa showed it (masked); shown, never matched on. */
  payer: string | null;
  details: string | null;
  transaction: number | null;
  /** Whole KES ImaraPay pushed. */
  paymentAmount: number | null;
  paymentStatus: string | null;
  matchedBy: MatchedBy | null;
  certain: boolean;
}

export const StatementReportLineSchema = new EntitySchema<StatementReportLine>({
  name: 'StatementReportLine',
  tableName: 'statement_report_lines',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    report: { kind: 'm:1', entity: 'StatementReport', mapToPk: true, index: true },
    class: { type: 'string', length: 20 },
    receipt: { type: 'string', length: 20, nullable: true },
    completedAt: { type: 'datetime', nullable: true },
    amount: { type: 'integer', nullable: true },
    accountReference: { type: 'string', length: 40, nullable: true },
    payer: { type: 'string', length: 100, nullable: true },
    details: { type: 'string', length: 200, nullable: true },
    transaction: { kind: 'm:1', entity: 'Transaction', mapToPk: true, nullable: true, index: true },
    paymentAmount: { type: 'integer', nullable: true },
    paymentStatus: { type: 'string', length: 20, nullable: true },
    matchedBy: { type: 'string', length: 24, nullable: true },
    certain: { type: 'boolean' },
  },
});
