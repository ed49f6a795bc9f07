import { Migration } from '@mikro-orm/migrations';

/**
 * Reversals: one per payment (unique), the state its workflow has reached, M-Pesa's conversation ids
 * and outcome; every result body M-Pesa posted about it, stored raw first; and the payment's own
 * `reversal_status`, so that its status, list, CSV and the Express face show it without a join.
 */
export class Migration20261208010000_reversals extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "reversals" ("id" serial primary key, "transaction_id" int not null, "merchant_id" int not null,
        "channel_id" int not null, "environment" varchar(20) not null, "amount" int not null,
        "receipt" varchar(20) not null, "state" varchar(20) not null default 'requested',
        "idempotency_key" varchar(255) null, "requested_by" varchar(255) null, "remarks" varchar(100) not null,
        "originator_conversation_id" varchar(100) null, "conversation_id" varchar(100) null,
        "result_code" text null, "result_desc" text null, "reversal_receipt" varchar(20) null,
        "decided_by" varchar(20) null, "workflow_id" varchar(100) not null,
        "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
        "completed_at" timestamptz null,
        constraint "reversals_amount_positive" check (amount > 0));`,
    );
    this.addSql(`alter table "reversals" add constraint "reversals_transaction_id_unique" unique ("transaction_id");`);
    this.addSql(`alter table "reversals" add constraint "reversals_workflow_id_unique" unique ("workflow_id");`);
    this.addSql(`create index "reversals_merchant_id_created_at_index" on "reversals" ("merchant_id", "created_at");`);
    this.addSql(`create index "reversals_created_at_id_index" on "reversals" ("created_at", "id");`);
    this.addSql(
      `alter table "reversals" add constraint "reversals_transaction_id_foreign"
        foreign key ("transaction_id") references "transactions" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "reversals" add constraint "reversals_merchant_id_foreign"
        foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "reversals" add constraint "reversals_channel_id_foreign"
        foreign key ("channel_id") references "channels" ("id") on update cascade;`,
    );
    this.addSql(
      `create table "reversal_results" ("id" serial primary key, "reversal_id" int not null,
        "kind" varchar(20) not null, "disposition" varchar(20) not null, "result_code" text null,
        "description" text not null default '', "raw" text not null,
        "received_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "reversal_results_reversal_id_index" on "reversal_results" ("reversal_id");`);
    this.addSql(
      `alter table "reversal_results" add constraint "reversal_results_reversal_id_foreign"
        foreign key ("reversal_id") references "reversals" ("id") on update cascade;`,
    );
    this.addSql(`alter table "transactions" add column "reversal_status" varchar(20) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "transactions" drop column if exists "reversal_status";`);
    this.addSql(`drop table if exists "reversal_results";`);
    this.addSql(`drop table if exists "reversals";`);
  }
}
