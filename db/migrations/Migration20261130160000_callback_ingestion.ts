import { Migration } from '@mikro-orm/migrations';

/**
 * Every callback body is kept whatever it holds: the exact bytes when the text column cannot hold
 * them (NUL, invalid UTF-8), how much was sent when it was over the size limit, and what was wrong.
 */
export class Migration20261130160000_callback_ingestion extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "daraja_callbacks" add column "raw_bytes" bytea null, add column "received_bytes" int null, add column "truncated" boolean not null default false, add column "problems" text null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "daraja_callbacks" drop column "raw_bytes", drop column "received_bytes", drop column "truncated", drop column "problems";`,
    );
  }
}
