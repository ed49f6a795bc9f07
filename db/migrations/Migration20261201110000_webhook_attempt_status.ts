import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook attempts get a status, so that an attempt is recorded (`sending`) before its POST and a
 * retry can tell an answered attempt from one whose worker stopped mid-call. Existing rows were all
 * written after their answer: their status follows from it.
 */
export class Migration20261201110000_webhook_attempt_status extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_attempts" add column "status" varchar(10) null;`);
    this.addSql(`update "webhook_attempts" set "status" = case
      when "status_code" between 200 and 299 then 'accepted'
      when "status_code" is not null then 'rejected'
      else 'failed' end;`);
    this.addSql(`alter table "webhook_attempts" alter column "status" set not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_attempts" drop column "status";`);
  }
}
