import { statusQueryText } from '../../api/useCases/transactionTimeline';
import { queryFailureDescription } from '../../activities/darajaCalls';
import { DarajaError } from '../../daraja/types';

const failed = (error: string) => statusQueryText({ state: 'error', result_code: null, result_desc: null, error });

describe('How the timeline titles an STK status query that did not give a result', () => {
  it('When Daraja answered the query with 500.003.02 Spike Arrest or HTTP 429, then it is titled as refused by Daraja, not "no answer"', () => {
    const spike = new DarajaError(
      'retryable',
      'Daraja query failed (retryable): 500.003.02 Spike arrest violation',
      '500.003.02',
      500,
    );
    const tooMany = new DarajaError(
      'retryable',
      'Daraja query failed (retryable): HTTP 429 with no Daraja error body',
      null,
      429,
    );
    for (const err of [spike, tooMany]) {
      const text = failed(queryFailureDescription(err));
      expect(text.title).toBe('STK status query refused by Daraja (it answered with an error)');
      expect(text.title).not.toContain('no answer');
    }
    expect(failed(queryFailureDescription(spike)).detail).toContain('500.003.02');
  });

  it('When Daraja did not answer in time or could not be reached, then the title says which', () => {
    expect(failed('M-Pesa did not answer in time').title).toBe(
      'STK status query failed: no answer from Daraja in time',
    );
    expect(failed('M-Pesa could not be reached').title).toBe('STK status query failed: Daraja could not be reached');
  });
});
