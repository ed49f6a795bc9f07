import { Migration } from '@mikro-orm/migrations';

/**
 * M-Pesa's own facts on each payment (the callback's Amount, PhoneNumber and TransactionDate, for the
 * record and the webhook), the review state for payments whose evidence is in doubt, and every
 * conflicting piece of evidence that arrived after the first.
 */
export class Migration20261130161000_payment_evidence extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "transactions" alter column "status" type varchar(20);`);
    this.addSql(
      `alter table "transactions" add column "mpesa_amount" int null, add column "mpesa_phone_number" varchar(12) null, add column "mpesa_transaction_date" varchar(14) null, add column "review_reason" text null, add column "evidence_conflicts" jsonb not null default '[]';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "transactions" drop column "mpesa_amount", drop column "mpesa_phone_number", drop column "mpesa_transaction_date", drop column "review_reason", drop column "evidence_conflicts";`,
    );
    this.addSql(`alter table "transactions" alter column "status" type varchar(10);`);
  }
}
