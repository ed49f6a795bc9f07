import { loadConfig } from '../config/config';
import type { AuditChainBreak } from '../domain/audit';
import { verifyStoredAuditChain } from './auditLog';
import { createOrm } from './orm';

const WHY: Record<AuditChainBreak['reason'], string> = {
  hash_mismatch: 'its content no longer matches its hash (the row was edited)',
  prev_hash_mismatch: 'it does not follow the event before it (an event before it was deleted or edited)',
  tail_mismatch: 'the log does not end with it as the chain head says (the newest events were deleted or edited)',
};

/** One line saying where and why the chain breaks, for people and for CI logs. */
export function describeAuditBreak(found: AuditChainBreak): string {
  return `Audit log broken at event ${found.id} (${found.reason}): ${WHY[found.reason]}`;
}

/**
 * `npm run audit:verify`: walks the audit log of DATABASE_URL from its first event to the chain
 * head. Exits 0 when the log is whole; exits 1 naming the first broken event otherwise; exits 2
 * when the check could not run (no database).
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const orm = await createOrm({ databaseUrl: config.DATABASE_URL, poolSize: 1 });
  try {
    const found = await verifyStoredAuditChain(orm.em.fork());
    if (found) {
      console.error(describeAuditBreak(found));
      return 1;
    }
    console.log('Audit log is whole: every event is chained to the one before it, up to the chain head');
    return 0;
  } finally {
    await orm.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
