import { Migration } from '@mikro-orm/migrations';

/**
 * Wallet top-ups: a push with no merchant channel, sent to the platform paybill kept in party_b.
 * And the indexes transaction lists (newest first, per merchant and environment) and search need.
 */
export class Migration20261122181000_channels_wallet_topups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "transactions" add column "party_b" varchar(20) null;`);
    this.addSql(`alter table "transactions" alter column "channel_id" drop not null;`);
    this.addSql(`alter table "transactions" drop constraint "transactions_channel_id_foreign";`);
    this.addSql(
      `alter table "transactions" add constraint "transactions_channel_id_foreign" foreign key ("channel_id") references "channels" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "transactions" add constraint transactions_push_target check(channel_id is not null or party_b is not null);`,
    );

    this.addSql(
      `create index "transactions_merchant_id_environment_created_at_id_index" on "transactions" ("merchant_id", "environment", "created_at", "id");`,
    );
    this.addSql(`create index "transactions_created_at_id_index" on "transactions" ("created_at", "id");`);
    this.addSql(
      `create index "transactions_merchant_id_phone_number_index" on "transactions" ("merchant_id", "phone_number");`,
    );
    this.addSql(
      `create index "transactions_merchant_id_external_reference_index" on "transactions" ("merchant_id", "external_reference");`,
    );
    this.addSql(`create index "transactions_mpesa_receipt_index" on "transactions" ("mpesa_receipt");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "transactions_mpesa_receipt_index";`);
    this.addSql(`drop index if exists "transactions_merchant_id_external_reference_index";`);
    this.addSql(`drop index if exists "transactions_merchant_id_phone_number_index";`);
    this.addSql(`drop index if exists "transactions_created_at_id_index";`);
    this.addSql(`drop index if exists "transactions_merchant_id_environment_created_at_id_index";`);
    this.addSql(`alter table "transactions" drop constraint if exists transactions_push_target;`);
    this.addSql(`alter table "transactions" drop constraint "transactions_channel_id_foreign";`);
    this.addSql(
      `alter table "transactions" add constraint "transactions_channel_id_foreign" foreign key ("channel_id") references "channels" ("id") on update cascade;`,
    );
    // Fails while wallet top-ups exist (they have no channel): money records are never deleted to make a rollback fit.
    this.addSql(`alter table "transactions" alter column "channel_id" set not null;`);
    this.addSql(`alter table "transactions" drop column "party_b";`);
  }
}
