import { Migration } from '@mikro-orm/migrations';

/**
 * The audit chain's head: one row holding the id and hash of the last audit event and how many
 * events the log holds. It moves in the same transaction as every append, so deleting the last
 * events (which leaves the rest of the chain intact) no longer goes unnoticed by the check.
 * Existing events are counted in, so a log that was already written stays verifiable.
 */
export class Migration20261207140000_audit_chain_head extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_chain_head" ("id" int not null, "last_id" int not null, "last_hash" varchar(64) not null,
        "event_count" int not null, constraint "audit_chain_head_pkey" primary key ("id"));`,
    );
    this.addSql(
      `insert into "audit_chain_head" ("id", "last_id", "last_hash", "event_count")
       select 1, coalesce(max("id"), 0),
              coalesce((select "hash" from "audit_events" order by "id" desc limit 1), repeat('0', 64)),
              count(*)
       from "audit_events";`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_chain_head";`);
  }
}
