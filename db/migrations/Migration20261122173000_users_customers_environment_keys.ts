import { Migration } from '@mikro-orm/migrations';

/** Dashboard users and sessions, customers, payment purpose and metadata, per-environment idempotency keys. */
export class Migration20261122173000_users_customers_environment_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "customers" ("id" serial primary key, "public_id" varchar(40) not null, "merchant_id" int not null, "environment" varchar(20) not null, "phone_number" varchar(12) not null, "name" varchar(255) null, "email" varchar(320) null, "description" varchar(255) null, "metadata" jsonb not null default '{}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "customers" add constraint "customers_public_id_unique" unique ("public_id");`);
    this.addSql(
      `alter table "customers" add constraint "customers_merchant_environment_phone_unique" unique ("merchant_id", "environment", "phone_number");`,
    );
    this.addSql(
      `alter table "customers" add constraint "customers_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );

    this.addSql(
      `create table "users" ("id" serial primary key, "email" varchar(320) not null, "password_hash" varchar(255) not null, "role" varchar(10) not null default 'merchant', "merchant_id" int null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create index "users_merchant_id_index" on "users" ("merchant_id");`);
    this.addSql(
      `alter table "users" add constraint "users_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `create table "sessions" ("id" serial primary key, "token_hash" varchar(64) not null, "user_id" int not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade;`,
    );

    this.addSql(`alter table "merchants" add column "webhook_secret_ciphertext" text null;`);

    this.addSql(
      `alter table "transactions" add column "purpose" varchar(20) not null default 'payment', add column "customer_id" int null, add column "metadata" jsonb not null default '{}';`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_customer_id_foreign" foreign key ("customer_id") references "customers" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`create index "transactions_customer_id_index" on "transactions" ("customer_id");`);
    this.addSql(`alter table "transactions" drop constraint "transactions_merchant_idempotency_key_unique";`);
    this.addSql(
      `alter table "transactions" add constraint "transactions_merchant_environment_idempotency_key_unique" unique ("merchant_id", "environment", "idempotency_key");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "transactions" drop constraint "transactions_merchant_environment_idempotency_key_unique";`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_merchant_idempotency_key_unique" unique ("merchant_id", "idempotency_key");`,
    );
    this.addSql(`alter table "transactions" drop constraint "transactions_customer_id_foreign";`);
    this.addSql(`alter table "transactions" drop column "purpose", drop column "customer_id", drop column "metadata";`);
    this.addSql(`alter table "merchants" drop column "webhook_secret_ciphertext";`);
    this.addSql(`drop table if exists "sessions" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "customers" cascade;`);
  }
}
