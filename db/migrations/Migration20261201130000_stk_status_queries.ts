import { Migration } from '@mikro-orm/migrations';

/** One row per STK status query a payment's workflow made, with Daraja's answer or the error. */
export class Migration20261201130000_stk_status_queries extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "stk_status_queries" ("id" serial primary key, "transaction_id" int not null,
        "asked_at" timestamptz not null default now(), "state" varchar(10) not null,
        "result_code" varchar(20) null, "result_desc" text null, "error" text null);`,
    );
    this.addSql(`create index "stk_status_queries_transaction_id_index" on "stk_status_queries" ("transaction_id");`);
    this.addSql(
      `alter table "stk_status_queries" add constraint "stk_status_queries_transaction_id_foreign"
        foreign key ("transaction_id") references "transactions" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stk_status_queries";`);
  }
}
