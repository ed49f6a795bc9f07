import { Migration } from '@mikro-orm/migrations';

/**
 * Callback redrives and reconciliation runs: each stored callback keeps the payment id its URL named
 * (no foreign key: an unknown id is stored too), the id its workflow knows it by when that is not the
 * row's own (a signal sent while Postgres was down), and how often the reconciliation handed it over.
 */
export class Migration20261201100000_reconciliation extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "daraja_callbacks" add column "url_transaction_id" int null, add column "signal_id" bigint null, ` +
        `add column "redrive_attempts" int not null default 0, add column "last_redrive_at" timestamptz null;`,
    );
    this.addSql(
      `create table "reconciliation_runs" ("id" serial primary key, "workflow_id" varchar(255) not null, ` +
        `"started_at" timestamptz not null default now(), "finished_at" timestamptz null, ` +
        `"findings" jsonb not null default '[]');`,
    );
    this.addSql(`create index "reconciliation_runs_started_at_index" on "reconciliation_runs" ("started_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "reconciliation_runs";`);
    this.addSql(
      `alter table "daraja_callbacks" drop column "url_transaction_id", drop column "signal_id", ` +
        `drop column "redrive_attempts", drop column "last_redrive_at";`,
    );
  }
}
