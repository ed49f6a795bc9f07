import { Migration } from '@mikro-orm/migrations';

/**
 * Two-step sign-in: a user's TOTP secret (sealed, domain/secretBox.ts), one being enrolled, the last
 * time step accepted (a code is never accepted twice), and the user's recovery codes, of which only
 * a keyed SHA-256 is stored.
 */
export class Migration20261207141000_two_factor extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "users" add column "totp_secret_ciphertext" varchar(255) null,
        add column "totp_pending_ciphertext" varchar(255) null, add column "totp_enabled_at" timestamptz null,
        add column "totp_last_step" bigint null;`,
    );
    this.addSql(
      `create table "user_recovery_codes" ("id" serial primary key, "user_id" int not null,
        "code_hash" varchar(64) not null, "used_at" timestamptz null,
        "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "user_recovery_codes_user_id_index" on "user_recovery_codes" ("user_id");`);
    this.addSql(
      `alter table "user_recovery_codes" add constraint "user_recovery_codes_code_hash_unique" unique ("code_hash");`,
    );
    this.addSql(
      `alter table "user_recovery_codes" add constraint "user_recovery_codes_user_id_foreign" foreign key ("user_id")
        references "users" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "user_recovery_codes";`);
    this.addSql(
      `alter table "users" drop column "totp_secret_ciphertext", drop column "totp_pending_ciphertext",
        drop column "totp_enabled_at", drop column "totp_last_step";`,
    );
  }
}
