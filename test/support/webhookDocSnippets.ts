import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

/** The code blocks of docs/api/webhooks.md, as merchants copy them. */
function codeBlocks(language: 'js' | 'python'): string[] {
  const markdown = readFileSync(join(__dirname, '..', '..', 'docs', 'api', 'webhooks.md'), 'utf8');
  return [...markdown.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

function blockDefining(language: 'js' | 'python', name: string): string {
  const block = codeBlocks(language).find((code) => code.includes(name));
  if (!block) throw new Error(`docs/api/webhooks.md has no ${language} block defining ${name}`);
  return block;
}

export type Verifier = (rawBody: string, header: string | undefined, secret: string) => boolean;

/** The documented Node.js verification function, run exactly as written in the docs. */
export function documentedNodeVerifier(): Verifier {
  const sandbox = { require, Buffer, Date, Number, String, Math, module: { exports: {} } };
  vm.runInNewContext(
    `${blockDefining('js', 'function verifyImaraPaySignature')}\nmodule.exports = verifyImaraPaySignature;`,
    sandbox,
  );
  const verify = sandbox.module.exports as (body: Buffer, header: string | undefined, secret: string) => boolean;
  // Express's raw parser hands the handler a Buffer of the body.
  return (rawBody, header, secret) => verify(Buffer.from(rawBody, 'utf8'), header, secret);
}

export const pythonAvailable = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The documented Python verification function, run by python3 exactly as written in the docs. */
export function documentedPythonVerifier(): Verifier {
  const source = `${blockDefining('python', 'def verify_imarapay_signature')}
import base64, json, sys
case = json.loads(sys.stdin.read())
print(json.dumps(verify_imarapay_signature(base64.b64decode(case["body"]), case["header"], case["secret"])))
`;
  return (rawBody, header, secret) => {
    const input = JSON.stringify({
      body: Buffer.from(rawBody, 'utf8').toString('base64'),
      header: header ?? '',
      secret,
    });
    const run = spawnSync('python3', ['-c', source], { input, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as boolean;
  };
}
