/**
 * The API documentation's samples, as merchants paste them (JavaScript and Python). Each is a file of
 * test/fixtures/snippets, imported as text: the newcomer tests run those very files against the API
 * (test/support/seedSnippets.ts, test/fixtures/seed_snippets.py), so a sample cannot drift from what works.
 */
import authJs from '../../../../test/fixtures/snippets/auth.js?raw';
import authPy from '../../../../test/fixtures/snippets/auth.py?raw';
import stkPushJs from '../../../../test/fixtures/snippets/stk-push.js?raw';
import stkPushPy from '../../../../test/fixtures/snippets/stk-push.py?raw';
import stkPushUsageJs from '../../../../test/fixtures/snippets/stk-push-usage.js?raw';
import stkPushUsagePy from '../../../../test/fixtures/snippets/stk-push-usage.py?raw';
import statusJs from '../../../../test/fixtures/snippets/status.js?raw';
import statusPy from '../../../../test/fixtures/snippets/status.py?raw';
import callbackJs from '../../../../test/fixtures/snippets/callback.js?raw';
import callbackPy from '../../../../test/fixtures/snippets/callback.py?raw';
import channelsJs from '../../../../test/fixtures/snippets/channels.js?raw';
import channelsPy from '../../../../test/fixtures/snippets/channels.py?raw';
import transactionsJs from '../../../../test/fixtures/snippets/transactions.js?raw';
import transactionsPy from '../../../../test/fixtures/snippets/transactions.py?raw';
import errorsJs from '../../../../test/fixtures/snippets/errors.js?raw';
import errorsPy from '../../../../test/fixtures/snippets/errors.py?raw';
import pricingJs from '../../../../test/fixtures/snippets/pricing.js?raw';
import pricingPy from '../../../../test/fixtures/snippets/pricing.py?raw';

export interface Sample {
  js: string;
  py: string;
}

// Files end with a newline; a code block does not.
const sample = (js: string, py: string): Sample => ({ js: js.trimEnd(), py: py.trimEnd() });

export const AUTH = sample(authJs, authPy);
export const STK_PUSH = sample(stkPushJs, stkPushPy);
export const STK_PUSH_USAGE = sample(stkPushUsageJs, stkPushUsagePy);
export const STATUS = sample(statusJs, statusPy);
export const CALLBACK = sample(callbackJs, callbackPy);
export const CHANNELS = sample(channelsJs, channelsPy);
export const TRANSACTIONS = sample(transactionsJs, transactionsPy);
export const ERRORS = sample(errorsJs, errorsPy);
export const PRICING = sample(pricingJs, pricingPy);
