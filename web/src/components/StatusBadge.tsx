/** Words for statuses whose API name is not for people. */
const LABELS: Record<string, string> = {
  needs_review: 'verifying',
  requested: 'reversal requested',
  reversed: 'reversed',
  reversal_failed: 'reversal failed',
  in_doubt: 'reversal in doubt',
};

/** A status word with its colour: completed, failed, pending, verifying (needs_review), verified, … */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{LABELS[status] ?? status}</span>;
}
