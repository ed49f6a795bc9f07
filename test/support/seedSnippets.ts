import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

/** The docs' samples, one file each: the dashboard's API Documentation shows exactly these files. */
const SNIPPETS = join(__dirname, '..', 'fixtures', 'snippets');

export interface SeedSnippets {
  stkPush(args: {
    accountId: number;
    phone: string;
    amount: number;
    reference?: string;
    description?: string;
  }): Promise<any>;
  pollTransactionStatus(checkoutRequestId: string, timeoutMs?: number): Promise<any>;
  /** The "Example usage" of the STK push sample, for a channel of the caller's: the CheckoutRequestID it printed. */
  stkPushExample(accountId: number): Promise<string>;
  listChannels(): Promise<{ id: number }>;
  getFeeExample(): Promise<number[]>;
  listTransactions(): Promise<{ mpesa_receipt: string }[]>;
  /** The error-handling sample: 'top up' when it took its insufficient-balance branch, else the error it showed. */
  errorHandlingExample(accountId: number): Promise<string[]>;
}

/** A sample's text with `from` replaced by `to`; a sample that no longer holds `from` fails the test. */
function sampleText(file: string, replacements: [string, string][] = []): string {
  let text = readFileSync(join(SNIPPETS, file), 'utf8');
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${file} no longer contains ${from}`);
    text = text.replace(from, to);
  }
  return text;
}

/**
 * Runs the docs' JavaScript samples as a merchant would paste them into one script: the definitions
 * (authentication, stkPush, pollTransactionStatus) once, with only the base URL and credentials filled
 * in, then each example's statements, whose printed lines are what they return here.
 */
export function loadSeedSnippets({
  baseUrl,
  username,
  password,
}: {
  baseUrl: string;
  username: string;
  password: string;
}): SeedSnippets {
  const quietConsole = { log: () => undefined, error: () => undefined };
  const context = vm.createContext({ fetch, btoa, setTimeout, Date, Error, Promise, JSON, console: quietConsole });
  const auth = sampleText('auth.js', [
    ["'your_api_username'", JSON.stringify(username)],
    ["'your_api_password'", JSON.stringify(password)],
    ["'https://YOUR_DOMAIN/api'", JSON.stringify(baseUrl)],
  ]);
  vm.runInContext([auth, sampleText('stk-push.js'), sampleText('status.js')].join('\n'), context);

  /** Runs one example's statements (top-level await included); answers what it printed (console.log, console.error). */
  async function runExample(
    file: string,
    replacements: [string, string][] = [],
  ): Promise<{ log: unknown[][]; error: unknown[][] }> {
    const printed = { log: [] as unknown[][], error: [] as unknown[][] };
    context.console = {
      log: (...args: unknown[]) => printed.log.push(args),
      error: (...args: unknown[]) => printed.error.push(args),
    };
    try {
      await vm.runInContext(`(async () => {\n${sampleText(file, replacements)}\n})()`, context);
    } finally {
      context.console = quietConsole;
    }
    return printed;
  }

  return {
    stkPush: (args) => context.stkPush(args),
    pollTransactionStatus: (id, timeoutMs) => context.pollTransactionStatus(id, timeoutMs),
    async stkPushExample(accountId) {
      const { log } = await runExample('stk-push-usage.js', [['accountId: 1,', `accountId: ${accountId},`]]);
      return String(log.find((line) => line[0] === 'Checkout ID:')?.[1]);
    },
    async listChannels() {
      const { log } = await runExample('channels.js');
      return { id: Number(log.find((line) => line[0] === 'Till channel ID:')?.[1]) };
    },
    async getFeeExample() {
      return (await runExample('pricing.js')).log.map((line) => Number(line[0]));
    },
    async listTransactions() {
      return (await runExample('transactions.js')).log.map((line) => ({
        mpesa_receipt: String(line[0]).split(' | ')[0]!,
      }));
    },
    async errorHandlingExample(accountId) {
      const { error } = await runExample('errors.js', [['accountId: 1,', `accountId: ${accountId},`]]);
      return error.map((line) => (line[0] === 'Top up your service wallet first' ? 'top up' : String(line[1])));
    },
  };
}
