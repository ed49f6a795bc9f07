import { Migration } from '@mikro-orm/migrations';

export class Migration20261122161736_initial_schema extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "merchants" ("id" serial primary key, "name" varchar(200) not null, "email" varchar(320) not null, "kyc_status" varchar(20) not null default 'unverified', "callback_url" text null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "merchants" add constraint "merchants_email_unique" unique ("email");`);

    this.addSql(
      `create table "channels" ("id" serial primary key, "merchant_id" int not null, "name" varchar(100) not null, "account_type" varchar(10) not null, "account_number" varchar(30) not null, "account_reference" varchar(12) not null, "bank_name" varchar(100) null, "party_b" varchar(20) not null, "is_active" boolean not null default true, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "channels_merchant_id_index" on "channels" ("merchant_id");`);

    this.addSql(
      `create table "api_keys" ("id" serial primary key, "merchant_id" int not null, "name" varchar(100) not null, "username" varchar(64) not null, "secret_hash" varchar(64) not null, "environment" varchar(20) not null default 'sandbox', "created_at" timestamptz not null default now(), "last_used_at" timestamptz null, "revoked_at" timestamptz null);`,
    );
    this.addSql(`create index "api_keys_merchant_id_index" on "api_keys" ("merchant_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_username_unique" unique ("username");`);

    this.addSql(
      `create table "pricing_tiers" ("id" serial primary key, "min_amount" int not null, "max_amount" int not null, "fee" int not null, constraint pricing_tiers_range_valid check (min_amount >= 1 and max_amount >= min_amount), constraint pricing_tiers_fee_not_negative check (fee >= 0));`,
    );
    this.addSql(`alter table "pricing_tiers" add constraint "pricing_tiers_min_amount_unique" unique ("min_amount");`);

    this.addSql(
      `create table "transactions" ("id" serial primary key, "merchant_id" int not null, "channel_id" int not null, "api_key_id" int null, "environment" varchar(20) not null default 'sandbox', "phone_number" varchar(12) not null, "amount" int not null, "fee" int not null, "status" varchar(10) not null default 'pending', "stage" varchar(20) not null default 'created', "push_state" varchar(12) not null default 'none', "external_reference" varchar(100) null, "description" varchar(13) not null, "account_reference" varchar(12) not null, "idempotency_key" varchar(255) null, "request_hash" varchar(64) null, "checkout_request_id" varchar(64) null, "merchant_request_id" varchar(64) null, "mpesa_receipt" varchar(20) null, "result_code" varchar(20) null, "result_desc" text null, "decided_by" varchar(20) null, "workflow_id" varchar(100) not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "completed_at" timestamptz null, constraint transactions_amount_positive check (amount > 0), constraint transactions_fee_not_negative check (fee >= 0));`,
    );
    this.addSql(`create index "transactions_channel_id_index" on "transactions" ("channel_id");`);
    this.addSql(
      `alter table "transactions" add constraint "transactions_checkout_request_id_unique" unique ("checkout_request_id");`,
    );
    this.addSql(`alter table "transactions" add constraint "transactions_workflow_id_unique" unique ("workflow_id");`);
    this.addSql(
      `create index "transactions_merchant_id_created_at_index" on "transactions" ("merchant_id", "created_at");`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_merchant_idempotency_key_unique" unique ("merchant_id", "idempotency_key");`,
    );

    this.addSql(
      `create table "wallet_ledger" ("id" serial primary key, "merchant_id" int not null, "kind" varchar(20) not null, "amount" int not null, "balance_after" int not null, "transaction_id" int null, "reference" text null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "wallet_ledger_merchant_id_id_index" on "wallet_ledger" ("merchant_id", "id");`);
    this.addSql(
      `alter table "wallet_ledger" add constraint "wallet_ledger_transaction_kind_unique" unique ("transaction_id", "kind");`,
    );

    this.addSql(
      `create table "daraja_callbacks" ("id" serial primary key, "received_at" timestamptz not null default now(), "transaction_id" int null, "checkout_request_id" varchar(64) null, "result_code" varchar(20) null, "raw_body" text not null, "source_ip" varchar(64) null, "disposition" varchar(20) not null default 'received');`,
    );
    this.addSql(`create index "daraja_callbacks_transaction_id_index" on "daraja_callbacks" ("transaction_id");`);
    this.addSql(
      `create index "daraja_callbacks_checkout_request_id_index" on "daraja_callbacks" ("checkout_request_id");`,
    );

    this.addSql(
      `create table "wallets" ("merchant_id" int not null, "balance" int not null default 0, "updated_at" timestamptz not null default now(), constraint "wallets_pkey" primary key ("merchant_id"), constraint wallets_balance_not_negative check (balance >= 0));`,
    );

    this.addSql(
      `create table "webhook_deliveries" ("id" serial primary key, "merchant_id" int not null, "transaction_id" int not null, "event" varchar(30) not null, "url" text not null, "payload" jsonb not null, "status" varchar(10) not null default 'pending', "attempts" int not null default 0, "last_attempt_at" timestamptz null, "delivered_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "webhook_deliveries_merchant_id_created_at_index" on "webhook_deliveries" ("merchant_id", "created_at");`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_transaction_event_unique" unique ("transaction_id", "event");`,
    );

    this.addSql(
      `create table "webhook_attempts" ("id" serial primary key, "delivery_id" int not null, "attempt_no" int not null, "started_at" timestamptz not null, "status_code" int null, "latency_ms" int not null, "error" text null, "response_excerpt" text null);`,
    );
    this.addSql(
      `alter table "webhook_attempts" add constraint "webhook_attempts_delivery_attempt_unique" unique ("delivery_id", "attempt_no");`,
    );

    this.addSql(
      `alter table "channels" add constraint "channels_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "api_keys" add constraint "api_keys_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "transactions" add constraint "transactions_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_channel_id_foreign" foreign key ("channel_id") references "channels" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_api_key_id_foreign" foreign key ("api_key_id") references "api_keys" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "wallet_ledger" add constraint "wallet_ledger_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "wallet_ledger" add constraint "wallet_ledger_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "daraja_callbacks" add constraint "daraja_callbacks_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "wallets" add constraint "wallets_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "webhook_attempts" add constraint "webhook_attempts_delivery_id_foreign" foreign key ("delivery_id") references "webhook_deliveries" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "channels" drop constraint "channels_merchant_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_merchant_id_foreign";`);

    this.addSql(`alter table "transactions" drop constraint "transactions_merchant_id_foreign";`);

    this.addSql(`alter table "wallet_ledger" drop constraint "wallet_ledger_merchant_id_foreign";`);

    this.addSql(`alter table "wallets" drop constraint "wallets_merchant_id_foreign";`);

    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_merchant_id_foreign";`);

    this.addSql(`alter table "transactions" drop constraint "transactions_channel_id_foreign";`);

    this.addSql(`alter table "transactions" drop constraint "transactions_api_key_id_foreign";`);

    this.addSql(`alter table "wallet_ledger" drop constraint "wallet_ledger_transaction_id_foreign";`);

    this.addSql(`alter table "daraja_callbacks" drop constraint "daraja_callbacks_transaction_id_foreign";`);

    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_transaction_id_foreign";`);

    this.addSql(`alter table "webhook_attempts" drop constraint "webhook_attempts_delivery_id_foreign";`);

    this.addSql(`drop table if exists "merchants" cascade;`);

    this.addSql(`drop table if exists "channels" cascade;`);

    this.addSql(`drop table if exists "api_keys" cascade;`);

    this.addSql(`drop table if exists "pricing_tiers" cascade;`);

    this.addSql(`drop table if exists "transactions" cascade;`);

    this.addSql(`drop table if exists "wallet_ledger" cascade;`);

    this.addSql(`drop table if exists "daraja_callbacks" cascade;`);

    this.addSql(`drop table if exists "wallets" cascade;`);

    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);

    this.addSql(`drop table if exists "webhook_attempts" cascade;`);
  }
}
