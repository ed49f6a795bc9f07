import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { StatementRowReader, statementError, type StatementRead } from '../../domain/statementCsv';
import { findUnstorableText } from '../../domain/controlCharacters';

/** The largest statement accepted, in bytes: a month of a busy till's lines fits many times over. */
export const STATEMENT_MAX_BYTES = 5 * 1024 * 1024;
/** The most rows a statement may have (header and preamble included). */
export const STATEMENT_MAX_ROWS = 50_000;

export interface StatementLimits {
  maxBytes: number;
  maxRows: number;
}

/**
 * Reads an uploaded statement CSV from `body` as it streams in, never holding more than a row:
 * UTF-8 only (a byte-order mark is allowed; any invalid byte sequence is refused, so a UTF-16 or
 * binary upload gets a clear answer), at most `maxBytes` bytes and `maxRows` rows, CSV as RFC 4180
 * (csv-parse, quotes and CRLF or LF), control characters refused. Every refusal is a
 * `validation_failed` AppError (400) saying what is wrong; nothing is stored before the whole
 * statement has been read.
 */
export async function readStatementCsv(
  body: Readable,
  { maxBytes, maxRows }: StatementLimits = { maxBytes: STATEMENT_MAX_BYTES, maxRows: STATEMENT_MAX_ROWS },
): Promise<StatementRead & { sha256: string }> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024 });
  const reader = new StatementRowReader();
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  let failure: unknown = null;

  const rowsDone = (async () => {
    for await (const record of parser as AsyncIterable<string[]>) {
      rows += 1;
      if (rows > maxRows) throw statementError(`The statement has more than ${maxRows} rows; upload a shorter period`);
      const bad = findUnstorableText(record);
      if (bad) throw statementError(`a cell ${bad.problem}`, rows);
      reader.push(record);
    }
  })();
  // Whatever happens to the parser, its promise is observed (no unhandled rejection) and reported below.
  rowsDone.catch((err: unknown) => {
    failure ??= err;
  });

  try {
    // Leaving the loop early must not destroy the request: the refusal still has to be answered on it.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      if (failure || parser.destroyed) break;
      bytes += chunk.length;
      if (bytes > maxBytes) {
        throw statementError(
          `The statement is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; upload a shorter period`,
        );
      }
      hash.update(chunk);
      let text: string;
      try {
        // NUL never occurs in CSV text; it is what a UTF-16 export or a binary file is full of.
        if (chunk.includes(0)) throw new Error('NUL byte');
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw notUtf8();
      }
      if (!parser.write(text) && !parser.destroyed) await waitDrainOrEnd(parser);
    }
    if (!failure && !parser.destroyed) {
      try {
        parser.write(decoder.decode());
      } catch {
        throw notUtf8();
      }
    }
  } catch (err) {
    parser.destroy();
    body.resume(); // drain what the client still sends, so the answer reaches it
    await rowsDone.catch(() => undefined);
    throw err;
  }
  if (!parser.destroyed) parser.end();
  await rowsDone.catch((err: unknown) => {
    throw csvProblem(err);
  });
  if (failure) throw csvProblem(failure);
  if (bytes === 0) throw statementError('The statement is empty');
  return { ...reader.finish(), sha256: hash.digest('hex') };
}

const notUtf8 = () =>
  statementError('The statement is not UTF-8 text: export it from the M-Pesa portal as CSV (UTF-8)');

function waitDrainOrEnd(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/** csv-parse's own errors (an unclosed quote, a runaway record) as a clear 400; ours pass through. */
function csvProblem(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    const line = (err as { lines?: number }).lines;
    return statementError(`The statement is not valid CSV (${code.toLowerCase()})${line ? ` near line ${line}` : ''}`);
  }
  return err;
}
