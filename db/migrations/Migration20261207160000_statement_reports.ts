import { Migration } from '@mikro-orm/migrations';

/**
 * Statement reconciliation: a report per merchant channel and Nairobi day, reconciled against
 * M-Pesa's record (an uploaded statement or Pull Transactions), and its lines with their class.
 */
export class Migration20261207160000_statement_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "statement_reports" ("id" serial primary key, "merchant_id" int not null, "channel_id" int not null,
        "environment" varchar(20) not null, "day" date not null, "source" varchar(20) not null, "uploaded_by" int null,
        "file_sha256" varchar(64) null, "matched" int not null, "mpesa_only" int not null, "imarapay_only" int not null,
        "amount_differs" int not null, "ignored" int not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "statement_reports_channel_id_day_id_index" on "statement_reports" ("channel_id", "day", "id");`,
    );
    this.addSql(`create index "statement_reports_merchant_id_id_index" on "statement_reports" ("merchant_id", "id");`);
    this.addSql(
      `create table "statement_report_lines" ("id" serial primary key, "report_id" int not null, "class" varchar(20) not null,
        "receipt" varchar(20) null, "completed_at" timestamptz null, "amount" int null, "account_reference" varchar(40) null,
        "payer" varchar(100) null, "details" varchar(200) null, "transaction_id" int null, "payment_amount" int null,
        "payment_status" varchar(20) null, "matched_by" varchar(24) null, "certain" boolean not null);`,
    );
    this.addSql(`create index "statement_report_lines_report_id_index" on "statement_report_lines" ("report_id");`);
    this.addSql(
      `create index "statement_report_lines_transaction_id_index" on "statement_report_lines" ("transaction_id");`,
    );
    this.addSql(
      `alter table "statement_reports" add constraint "statement_reports_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "statement_reports" add constraint "statement_reports_channel_id_foreign" foreign key ("channel_id") references "channels" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "statement_report_lines" add constraint "statement_report_lines_report_id_foreign" foreign key ("report_id") references "statement_reports" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "statement_report_lines" add constraint "statement_report_lines_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "statement_report_lines";`);
    this.addSql(`drop table if exists "statement_reports";`);
  }
}
