import { Migration } from '@mikro-orm/migrations';

/**
 * Operators' proposals to end a payment's review (complete with a receipt, or fail and release the
 * fee), each approved or rejected by a second admin; at most one pending and one approved per payment.
 */
export class Migration20261208010000_review_proposals extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "review_proposals" ("id" serial primary key, "transaction_id" int not null, "action" varchar(10) not null,
        "receipt" varchar(20) null, "reason" text not null, "status" varchar(10) not null default 'pending',
        "proposed_by_id" int not null, "proposed_at" timestamptz not null default now(), "decided_by_id" int null,
        "decided_at" timestamptz null, "decision_reason" text null, "handed_over_at" timestamptz null,
        "handed_over_via" varchar(20) null,
        constraint review_proposals_receipt check ((action = 'complete' and receipt is not null) or (action = 'fail' and receipt is null)));`,
    );
    this.addSql(
      `create index "review_proposals_transaction_id_id_index" on "review_proposals" ("transaction_id", "id");`,
    );
    this.addSql(
      `create unique index "review_proposals_one_pending" on "review_proposals" ("transaction_id") where status = 'pending';`,
    );
    this.addSql(
      `create unique index "review_proposals_one_approved" on "review_proposals" ("transaction_id") where status = 'approved';`,
    );
    this.addSql(
      `alter table "review_proposals" add constraint "review_proposals_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "review_proposals" add constraint "review_proposals_proposed_by_id_foreign" foreign key ("proposed_by_id") references "users" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "review_proposals" add constraint "review_proposals_decided_by_id_foreign" foreign key ("decided_by_id") references "users" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "review_proposals";`);
  }
}
