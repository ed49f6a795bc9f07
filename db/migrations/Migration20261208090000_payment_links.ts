import { Migration } from '@mikro-orm/migrations';

/**
 * Payment links (a hosted checkout page per link) and, on each payment, the link it came from and
 * the unguessable key its checkout page reads its status with.
 */
export class Migration20261208090000_payment_links extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "payment_links" ("id" serial primary key, "public_id" varchar(40) not null, "token" varchar(64) not null,
        "merchant_id" int not null, "channel_id" int not null, "environment" varchar(20) not null, "amount_kind" varchar(10) not null,
        "amount" int null, "min_amount" int null, "max_amount" int null, "description" varchar(13) not null,
        "account_reference" varchar(12) not null, "single_use" boolean not null default false, "expires_at" timestamptz null,
        "state" varchar(12) not null default 'active', "metadata" jsonb not null default '{}',
        "idempotency_key" varchar(255) null, "request_hash" varchar(64) null,
        "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
        constraint payment_links_amount_shape check ((amount_kind = 'fixed' and amount > 0 and min_amount is null and max_amount is null) or (amount_kind = 'open' and amount is null and min_amount > 0 and max_amount >= min_amount)));`,
    );
    this.addSql(`alter table "payment_links" add constraint "payment_links_public_id_unique" unique ("public_id");`);
    this.addSql(`alter table "payment_links" add constraint "payment_links_token_unique" unique ("token");`);
    this.addSql(`create index "payment_links_channel_id_index" on "payment_links" ("channel_id");`);
    this.addSql(
      `create index "payment_links_merchant_id_environment_id_index" on "payment_links" ("merchant_id", "environment", "id");`,
    );
    this.addSql(
      `alter table "payment_links" add constraint "payment_links_merchant_environment_idempotency_key_unique" unique ("merchant_id", "environment", "idempotency_key");`,
    );
    this.addSql(
      `alter table "payment_links" add constraint "payment_links_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "payment_links" add constraint "payment_links_channel_id_foreign" foreign key ("channel_id") references "channels" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "transactions" add column "link_id" int null, add column "checkout_token" varchar(64) null;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_link_id_foreign" foreign key ("link_id") references "payment_links" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_checkout_token_unique" unique ("checkout_token");`,
    );
    this.addSql(`create index "transactions_link_id_status_index" on "transactions" ("link_id", "status");`);
    this.addSql(`create index "transactions_phone_number_status_index" on "transactions" ("phone_number", "status");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "transactions" drop column "link_id", drop column "checkout_token";`);
    this.addSql(`drop table if exists "payment_links";`);
  }
}
