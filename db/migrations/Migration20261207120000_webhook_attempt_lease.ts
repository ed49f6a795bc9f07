import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook attempts get a lease and the database session that made them, so that a retry waits for
 * an attempt whose worker is stalled mid-call instead of sending again (domain/webhookRetry.ts).
 * Existing attempts get the lease the code gave them before: started + 15 s (the default HTTP
 * timeout plus its margin); they have no recorded sender.
 */
export class Migration20261207120000_webhook_attempt_lease extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_attempts" add column "lease_expires_at" timestamptz null;`);
    this.addSql(`alter table "webhook_attempts" add column "sender" varchar(40) null;`);
    this.addSql(`update "webhook_attempts" set "lease_expires_at" = "started_at" + interval '15 seconds';`);
    this.addSql(`alter table "webhook_attempts" alter column "lease_expires_at" set not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_attempts" drop column "sender";`);
    this.addSql(`alter table "webhook_attempts" drop column "lease_expires_at";`);
  }
}
