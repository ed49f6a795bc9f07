import { Migration } from '@mikro-orm/migrations';

/**
 * M-Pesa's own record of payments: the initiator credentials a channel needs to ask Transaction
 * Status (its password sealed with domain/secretBox.ts), every question ImaraPay asked M-Pesa, and
 * every answer it got (stored raw first; malformed answers are kept and decide nothing).
 */
export class Migration20261207150000_mpesa_records extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "channel_initiators" ("channel_id" int not null, "initiator_name" varchar(100) not null,
        "password_sealed" text not null, "updated_at" timestamptz not null default now(),
        constraint "channel_initiators_pkey" primary key ("channel_id"));`,
    );
    this.addSql(
      `create table "mpesa_record_requests" ("id" serial primary key, "transaction_id" int null,
        "channel_id" int not null, "source" varchar(20) not null,
        "originator_conversation_id" varchar(100) null, "conversation_id" varchar(100) null,
        "state" varchar(20) not null, "detail" text null,
        "asked_at" timestamptz not null default now(), "answered_at" timestamptz null);`,
    );
    this.addSql(
      `create index "mpesa_record_requests_transaction_id_index" on "mpesa_record_requests" ("transaction_id");`,
    );
    this.addSql(
      `alter table "mpesa_record_requests" add constraint "mpesa_record_requests_originator_conversation_id_unique" unique ("originator_conversation_id");`,
    );
    this.addSql(
      `alter table "mpesa_record_requests" add constraint "mpesa_record_requests_transaction_id_foreign"
        foreign key ("transaction_id") references "transactions" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "mpesa_record_requests" add constraint "mpesa_record_requests_channel_id_foreign"
        foreign key ("channel_id") references "channels" ("id") on update cascade;`,
    );
    this.addSql(
      `create table "mpesa_records" ("id" serial primary key, "transaction_id" int null, "request_id" int null,
        "source" varchar(20) not null, "disposition" varchar(20) not null, "outcome" varchar(20) null,
        "receipt" varchar(20) null, "amount" int null, "payer" varchar(255) null, "completed_at" timestamptz null,
        "description" text not null default '', "raw" text not null,
        "received_at" timestamptz not null default now(), "delivered_at" timestamptz null, "delivery" varchar(20) null);`,
    );
    this.addSql(`create index "mpesa_records_transaction_id_index" on "mpesa_records" ("transaction_id");`);
    this.addSql(
      `alter table "mpesa_records" add constraint "mpesa_records_transaction_id_source_receipt_unique" unique ("transaction_id", "source", "receipt");`,
    );
    this.addSql(
      `alter table "mpesa_records" add constraint "mpesa_records_transaction_id_foreign"
        foreign key ("transaction_id") references "transactions" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "mpesa_records" add constraint "mpesa_records_request_id_foreign"
        foreign key ("request_id") references "mpesa_record_requests" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "mpesa_records";`);
    this.addSql(`drop table if exists "mpesa_record_requests";`);
    this.addSql(`drop table if exists "channel_initiators";`);
  }
}
