import { Migration } from '@mikro-orm/migrations';

/**
 * The append-only audit log: staff actions and merchant security actions, each row chained to the
 * one before by hash (domain/audit.ts). The application role only ever inserts and reads it.
 */
export class Migration20261207090000_audit_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_events" ("id" serial primary key, "occurred_at" timestamptz not null,
        "actor_type" varchar(16) not null, "actor_id" int null, "actor_label" varchar(255) null,
        "merchant_id" int null, "action" varchar(64) not null, "subject_type" varchar(32) null,
        "subject_id" varchar(64) null, "ip" varchar(64) null, "details" jsonb not null default '{}',
        "prev_hash" varchar(64) not null, "hash" varchar(64) not null);`,
    );
    this.addSql(`create index "audit_events_occurred_at_index" on "audit_events" ("occurred_at");`);
    this.addSql(`create index "audit_events_merchant_id_index" on "audit_events" ("merchant_id");`);
    this.addSql(`create index "audit_events_action_index" on "audit_events" ("action");`);
    this.addSql(`alter table "audit_events" add constraint "audit_events_hash_unique" unique ("hash");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_events";`);
  }
}
