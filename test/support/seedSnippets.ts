import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

export interface SeedSnippets {
  stkPush(args: { accountId: number; phone: string; amount: number; reference?: string; description?: string }): Promise<any>;
  pollTransactionStatus(checkoutRequestId: string, timeoutMs?: number): Promise<any>;
  listChannels(): Promise<any>;
  getFeeExample(): Promise<number[]>;
  listTransactions(): Promise<any[]>;
  errorHandlingExample(accountId: number): Promise<string[]>;
}

/** Loads the docs' snippets with only the base URL and credentials filled in, as a merchant would. */
export function loadSeedSnippets({ baseUrl, username, password }: { baseUrl: string; username: string; password: string }): SeedSnippets {
  const source = readFileSync(join(__dirname, '..', 'fixtures', 'seed-snippets.js'), 'utf8')
    .replace("'your_api_username'", JSON.stringify(username))
    .replace("'your_api_password'", JSON.stringify(password))
    .replace("'https://YOUR_DOMAIN/api'", JSON.stringify(baseUrl));
  const module = { exports: {} as SeedSnippets };
  const quietConsole = { log: () => undefined, error: () => undefined };
  vm.runInNewContext(source, { module, fetch, btoa, setTimeout, Date, Error, Promise, JSON, console: quietConsole });
  return module.exports;
}
