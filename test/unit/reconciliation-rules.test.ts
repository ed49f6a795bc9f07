import { orphanAction } from '../../activities/reconciliation';
import { unstoredCallbackId } from '../../payments/receiveDarajaCallback';
import { loadConfig } from '../../config/config';
import { reconciliationInput } from '../../worker/reconciliationSchedule';

describe('Which payment row without a workflow is started and which is ended', () => {
  it('When a row is younger than the grace, then it is left to its own request', () => {
    expect(orphanAction(10_000, 30_000, 120_000)).toBe('wait');
  });

  it('When a row is past the grace but within the start window, then its payment is started', () => {
    expect(orphanAction(30_000, 30_000, 120_000)).toBe('start');
    expect(orphanAction(119_999, 30_000, 120_000)).toBe('start');
  });

  it('When a row is past the start window, then it is ended without a prompt', () => {
    expect(orphanAction(120_000, 30_000, 120_000)).toBe('end');
    expect(orphanAction(86_400_000, 30_000, 120_000)).toBe('end');
  });
});

describe('The id of a callback signalled without being stored', () => {
  it('When the same bytes arrive twice, then they get the same negative id, and other bytes another', () => {
    const body = Buffer.from('{"Body":{"stkCallback":{"ResultCode":0}}}');
    expect(unstoredCallbackId(body)).toBe(unstoredCallbackId(Buffer.from(body)));
    expect(unstoredCallbackId(body)).toBeLessThan(0);
    expect(Number.isSafeInteger(unstoredCallbackId(body))).toBe(true);
    expect(unstoredCallbackId(Buffer.from('{"Body":{"stkCallback":{"ResultCode":1}}}'))).not.toBe(
      unstoredCallbackId(body),
    );
  });
});

describe('Reconciliation settings', () => {
  it('When nothing is set, then runs are every 300 s, orphans wait 30 s and are started within 120 s', () => {
    const config = loadConfig({});
    expect(config.RECONCILIATION_INTERVAL_SECONDS).toBe(300);
    expect(reconciliationInput(config)).toMatchObject({ orphanGraceMs: 30_000, orphanStartWindowMs: 120_000 });
  });

  it('When the start window is shorter than the grace, then the configuration is refused naming it', () => {
    expect(() =>
      loadConfig({ RECONCILIATION_ORPHAN_GRACE_SECONDS: '60', RECONCILIATION_ORPHAN_START_WINDOW_SECONDS: '10' }),
    ).toThrow(/RECONCILIATION_ORPHAN_START_WINDOW_SECONDS/);
    expect(() => loadConfig({ RECONCILIATION_INTERVAL_SECONDS: '0' })).toThrow(/RECONCILIATION_INTERVAL_SECONDS/);
  });
});
