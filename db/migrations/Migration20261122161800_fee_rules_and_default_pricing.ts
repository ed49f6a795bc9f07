import { Migration } from '@mikro-orm/migrations';

/**
 * The rules the ledger's correctness rests on, which the entity metadata cannot express,
 * and the fee schedule the public docs quote (500 → 6, 1,000 → 15, 10,000 → 50).
 */
export class Migration20261122161800_fee_rules_and_default_pricing extends Migration {
  override async up(): Promise<void> {
    // A reserved fee ends exactly one way: captured or released, never both.
    this.addSql(
      `create unique index "wallet_ledger_fee_settled_once" on "wallet_ledger" ("transaction_id") where kind in ('fee_capture', 'fee_release');`,
    );
    this.addSql(`create index "transactions_merchant_id_status_index" on "transactions" ("merchant_id", "status");`);
    this.addSql(`insert into "pricing_tiers" ("min_amount", "max_amount", "fee") values
      (1, 100, 1),
      (101, 500, 6),
      (501, 1000, 15),
      (1001, 2500, 25),
      (2501, 5000, 35),
      (5001, 10000, 50),
      (10001, 50000, 80),
      (50001, 150000, 120),
      (150001, 250000, 150);`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "pricing_tiers";`);
    this.addSql(`drop index if exists "transactions_merchant_id_status_index";`);
    this.addSql(`drop index if exists "wallet_ledger_fee_settled_once";`);
  }
}
