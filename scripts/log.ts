/** Where the dev scripts write human-readable progress lines. */
export type Log = (message: string) => void;

/** A Log that writes `[name] message` lines to stderr (stdout stays free for machine-readable output). */
export function prefixedLog(name: string): Log {
  const prefix = linePrefix(name);
  return (message) => {
    for (const line of message.split('\n')) process.stderr.write(`${prefix}${line}\n`);
  };
}

/** `[name]` padded so that the output of several processes lines up. */
export function linePrefix(name: string): string {
  return `[${name}]`.padEnd(12) + ' ';
}
