/** A status word with its colour: completed, failed, pending, verified, … */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}
