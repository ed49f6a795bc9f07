import { Migration } from '@mikro-orm/migrations';

/** Public `trxn_…` ids for every payment (the Express API's identifiers). */
export class Migration20261122183000_transaction_public_ids extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "transactions" add column "public_id" varchar(40) null;`);
    this.addSql(
      `update "transactions" set "public_id" = 'trxn_' || substr(md5(random()::text || id::text), 1, 17) where "public_id" is null;`,
    );
    this.addSql(`alter table "transactions" alter column "public_id" set not null;`);
    this.addSql(`alter table "transactions" add constraint "transactions_public_id_unique" unique ("public_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "transactions" drop column "public_id";`);
  }
}
