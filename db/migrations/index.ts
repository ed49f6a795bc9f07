import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122161736_initial_schema } from './Migration20261122161736_initial_schema';
import { Migration20261122161800_fee_rules_and_default_pricing } from './Migration20261122161800_fee_rules_and_default_pricing';
import { Migration20261122173000_users_customers_environment_keys } from './Migration20261122173000_users_customers_environment_keys';
import { Migration20261122180000_kyc } from './Migration20261122180000_kyc';
import { Migration20261122181000_channels_wallet_topups } from './Migration20261122181000_channels_wallet_topups';
import { Migration20261122183000_transaction_public_ids } from './Migration20261122183000_transaction_public_ids';
import { Migration20261130160000_callback_ingestion } from './Migration20261130160000_callback_ingestion';
import { Migration20261130161000_payment_evidence } from './Migration20261130161000_payment_evidence';
import { Migration20261130170000_rate_limits } from './Migration20261130170000_rate_limits';
import { Migration20261201100000_reconciliation } from './Migration20261201100000_reconciliation';
import { Migration20261201110000_webhook_attempt_status } from './Migration20261201110000_webhook_attempt_status';
import { Migration20261201130000_stk_status_queries } from './Migration20261201130000_stk_status_queries';
import { Migration20261207090000_audit_events } from './Migration20261207090000_audit_events';
import { Migration20261207120000_webhook_attempt_lease } from './Migration20261207120000_webhook_attempt_lease';
import { Migration20261207140000_audit_chain_head } from './Migration20261207140000_audit_chain_head';
import { Migration20261207141000_two_factor } from './Migration20261207141000_two_factor';
import { Migration20261207150000_mpesa_records } from './Migration20261207150000_mpesa_records';
import { Migration20261207160000_statement_reports } from './Migration20261207160000_statement_reports';
import { Migration20261208010000_reversals } from './Migration20261208010000_reversals';
import { Migration20261208010000_review_proposals } from './Migration20261208010000_review_proposals';
import { Migration20261208090000_payment_links } from './Migration20261208090000_payment_links';

/** Every migration, in timestamp order. Listed by hand so compiled and uncompiled runs find the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122161736_initial_schema', class: Migration20261122161736_initial_schema },
  {
    name: 'Migration20261122161800_fee_rules_and_default_pricing',
    class: Migration20261122161800_fee_rules_and_default_pricing,
  },
  {
    name: 'Migration20261122173000_users_customers_environment_keys',
    class: Migration20261122173000_users_customers_environment_keys,
  },
  { name: 'Migration20261122180000_kyc', class: Migration20261122180000_kyc },
  { name: 'Migration20261122181000_channels_wallet_topups', class: Migration20261122181000_channels_wallet_topups },
  { name: 'Migration20261122183000_transaction_public_ids', class: Migration20261122183000_transaction_public_ids },
  { name: 'Migration20261130160000_callback_ingestion', class: Migration20261130160000_callback_ingestion },
  { name: 'Migration20261130161000_payment_evidence', class: Migration20261130161000_payment_evidence },
  { name: 'Migration20261130170000_rate_limits', class: Migration20261130170000_rate_limits },
  { name: 'Migration20261201100000_reconciliation', class: Migration20261201100000_reconciliation },
  { name: 'Migration20261201110000_webhook_attempt_status', class: Migration20261201110000_webhook_attempt_status },
  { name: 'Migration20261201130000_stk_status_queries', class: Migration20261201130000_stk_status_queries },
  { name: 'Migration20261207090000_audit_events', class: Migration20261207090000_audit_events },
  { name: 'Migration20261207120000_webhook_attempt_lease', class: Migration20261207120000_webhook_attempt_lease },
  { name: 'Migration20261207140000_audit_chain_head', class: Migration20261207140000_audit_chain_head },
  { name: 'Migration20261207141000_two_factor', class: Migration20261207141000_two_factor },
  { name: 'Migration20261207150000_mpesa_records', class: Migration20261207150000_mpesa_records },
  { name: 'Migration20261207160000_statement_reports', class: Migration20261207160000_statement_reports },
  { name: 'Migration20261208010000_reversals', class: Migration20261208010000_reversals },
  { name: 'Migration20261208010000_review_proposals', class: Migration20261208010000_review_proposals },
  { name: 'Migration20261208090000_payment_links', class: Migration20261208090000_payment_links },
];
