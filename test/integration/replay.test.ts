import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

/**
 * Workflow code must replay every history it ever wrote. Committed histories (test/fixtures/histories,
 * protobuf binary) guard payments already running in production: a change that breaks one must come
 * with a patch (`patched()`) or a new worker version, and its old fixture stays to prove it. Fresh
 * histories from this run cover every branch of today's code. RECORD_HISTORIES=1 records today's set.
 */
const History = temporal.api.history.v1.History;
const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');
const SCENARIOS: Array<[name: string, amount: number, walletKes: number]> = [
  ['completed-by-callback', 500, 100],
  ['cancelled-fee-released', 1032, 100],
  ['completed-by-query', 9902, 100],
  ['late-success-after-failed', 9904, 100],
  ['spike-arrest-retried', 9906, 100],
  ['push-timed-out', 9907, 100],
  ['refused-insufficient-wallet', 500, 1],
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function replay(histories: HistoryAndWorkflowId[]) {
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE! } },
    histories,
  )) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('Workflow determinism', () => {
  it('When every payment path is run and its history replayed, then no replay diverges', async () => {
    const recorded = await Promise.all(
      SCENARIOS.map(async ([name, amount, walletKes]) => {
        const merchant = await createMerchantFixture(stack, { walletKes });
        const res = await stack.http.post(
          '/stk-push',
          { account_id: merchant.channelId, phone_number: '0712345678', amount },
          { headers: { Authorization: merchant.authorization } },
        );
        const handle = stack.temporal.workflow.getHandle(`payment-${res.data.transaction_id}`);
        await handle.result();
        return { name, workflowId: handle.workflowId, history: await handle.fetchHistory() };
      }),
    );
    expect(recorded).toHaveLength(SCENARIOS.length);
    expect(await replay(recorded.map(({ workflowId, history }) => ({ workflowId, history })))).toEqual([]);

    if (process.env.RECORD_HISTORIES === '1') {
      for (const { name, history } of recorded)
        writeFileSync(join(FIXTURES, `${name}.history.bin`), History.encode(history).finish());
    }
  });

  it('When the committed histories are replayed with today’s code, then none diverges', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.history.bin'));
    expect(files.length).toBeGreaterThanOrEqual(SCENARIOS.length);
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.history\.bin$/, ''),
      history: History.decode(readFileSync(join(FIXTURES, file))),
    }));
    expect(await replay(histories)).toEqual([]);
  });
});
