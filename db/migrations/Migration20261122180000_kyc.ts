import { Migration } from '@mikro-orm/migrations';

/** Identity verification: merchants' KYC submissions and their documents (stored as bytea). */
export class Migration20261122180000_kyc extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "kyc_submissions" ("id" serial primary key, "merchant_id" int not null, "status" varchar(10) not null default 'pending', "full_name" varchar(200) not null, "id_type" varchar(20) not null, "id_number" varchar(30) not null, "business_name" varchar(200) not null, "business_registration_number" varchar(50) null, "kra_pin" varchar(11) null, "phone_number" varchar(12) not null, "reviewed_by_id" int null, "reviewed_at" timestamptz null, "rejection_reason" text null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "kyc_submissions_merchant_id_index" on "kyc_submissions" ("merchant_id");`);
    this.addSql(
      `create index "kyc_submissions_status_created_at_index" on "kyc_submissions" ("status", "created_at");`,
    );
    this.addSql(
      `create unique index "kyc_submissions_one_pending_per_merchant" on "kyc_submissions" ("merchant_id") where status = 'pending';`,
    );
    this.addSql(
      `alter table "kyc_submissions" add constraint "kyc_submissions_merchant_id_foreign" foreign key ("merchant_id") references "merchants" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "kyc_submissions" add constraint "kyc_submissions_reviewed_by_id_foreign" foreign key ("reviewed_by_id") references "users" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `create table "kyc_documents" ("id" serial primary key, "submission_id" int not null, "kind" varchar(30) not null, "content_type" varchar(30) not null, "size" int not null, "sha256" varchar(64) not null, "content" bytea not null, "created_at" timestamptz not null default now(), constraint kyc_documents_size_positive check (size > 0));`,
    );
    this.addSql(`create index "kyc_documents_submission_id_index" on "kyc_documents" ("submission_id");`);
    this.addSql(`create index "kyc_documents_sha256_index" on "kyc_documents" ("sha256");`);
    this.addSql(
      `alter table "kyc_documents" add constraint "kyc_documents_submission_id_foreign" foreign key ("submission_id") references "kyc_submissions" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "kyc_documents" cascade;`);
    this.addSql(`drop table if exists "kyc_submissions" cascade;`);
  }
}
