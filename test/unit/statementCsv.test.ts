import { Readable } from 'node:stream';
import { AppError } from '../../domain/errors';
import { parseStatementAmount, parseStatementTime } from '../../domain/statementCsv';
import { readStatementCsv } from '../../api/useCases/statementStream';

const HEADER =
  'Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.';
const PREAMBLE = 'Account Holder:,ACME SHOP\nShort Code:,174379\nTime Period:,07-12-2026 - 07-12-2026\n\n';
const line = (cells: string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
const credit = (receipt: string, time: string, paidIn: string, ref = 'SHOP1') =>
  line([
    receipt,
    time,
    time,
    'Pay Bill Online',
    'Completed',
    paidIn,
    '',
    '10,000.00',
    'Yes',
    'Pay Bill',
    '2547******678 - J*** D**',
    '',
    ref,
  ]);

const read = (text: string | Buffer, limits?: { maxBytes: number; maxRows: number }) =>
  readStatementCsv(Readable.from([typeof text === 'string' ? Buffer.from(text) : text]), limits);

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('validation_failed');
  return err as AppError;
}

describe('Statement CSV', () => {
  it('When amounts carry thousands separators and ".00", then they are whole KES; a fraction is refused', () => {
    expect(parseStatementAmount('1,250.00', 3, 'Paid In')).toBe(1250);
    expect(parseStatementAmount('250000', 3, 'Paid In')).toBe(250000);
    expect(parseStatementAmount('-500.00', 3, 'Withdrawn')).toBe(-500);
    expect(parseStatementAmount('', 3, 'Withdrawn')).toBe(0);
    expect(() => parseStatementAmount('10.50', 3, 'Paid In')).toThrow('Row 3: Paid In 10.50 is not whole shillings');
    expect(() => parseStatementAmount('1,25.00', 3, 'Paid In')).toThrow(AppError);
    expect(() => parseStatementAmount('1e3', 3, 'Paid In')).toThrow(AppError);
  });

  it('When times are Nairobi wall time, year first or day first, then they are the right instant; impossible dates are refused', () => {
    expect(parseStatementTime('2026-12-07 00:30:00', 2, 'Completion Time').toISOString()).toBe(
      '2026-12-06T21:30:00.000Z',
    );
    expect(parseStatementTime('07-12-2026 14:23:11', 2, 'Completion Time').toISOString()).toBe(
      '2026-12-07T11:23:11.000Z',
    );
    expect(() => parseStatementTime('31-11-2026 10:00:00', 2, 'Completion Time')).toThrow('not a real date');
    expect(() => parseStatementTime('yesterday', 2, 'Completion Time')).toThrow(AppError);
  });

  it('When a portal export with a preamble, a BOM, withdrawals and a failed line is read, then only completed credits come out', async () => {
    const text =
      '\ufeff' +
      PREAMBLE +
      [
        HEADER,
        credit('UL7A1B2C3D', '2026-12-07 10:00:30', '1,250.00'),
        line([
          'UL7CHARGE1',
          '2026-12-07 11:00:00',
          '',
          'Pay merchant Charge',
          'Completed',
          '',
          '-12.00',
          '',
          '',
          '',
          '',
          '',
          '',
        ]),
        line([
          'UL7FAILED1',
          '2026-12-07 12:00:00',
          '',
          'Pay Bill Online',
          'Failed',
          '300.00',
          '',
          '',
          '',
          '',
          '',
          '',
          'SHOP1',
        ]),
        credit('UL7E5F6G7H', '07-12-2026 13:00:00', '300', ''),
      ].join('\r\n');
    const { credits, skipped } = await read(text);
    expect(skipped).toBe(2);
    expect(credits).toEqual([
      expect.objectContaining({ receipt: 'UL7A1B2C3D', amount: 1250, accountReference: 'SHOP1' }),
      expect.objectContaining({ receipt: 'UL7E5F6G7H', amount: 300, accountReference: null }),
    ]);
    expect(credits[0]!.completedAt.toISOString()).toBe('2026-12-07T07:00:30.000Z');
  });

  it('When the upload is not a statement (no header, UTF-16, binary, bad CSV, empty), then it is refused with a clear message', async () => {
    expect((await refusal(read('a,b,c\n1,2,3\n'))).message).toMatch(/No statement table found/);
    expect((await refusal(read(Buffer.from(`${HEADER}\n`, 'utf16le')))).message).toMatch(/not UTF-8/);
    expect((await refusal(read(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x01])))).message).toMatch(
      /not UTF-8/,
    );
    expect((await refusal(read(`${HEADER}\n"UL7A1B2C3D,2026-12-07 10:00:30\n`))).message).toMatch(/not valid CSV/);
    expect((await refusal(read(''))).message).toMatch(/empty/);
    expect((await refusal(read(`${HEADER}\nUL7\u0007BAD,2026-12-07 10:00:30\n`))).message).toMatch(/Row 2/);
  });

  it('When a required column is missing or a line is wrong, then the row is named', async () => {
    expect((await refusal(read('Receipt No.,Details\nX,Y\n'))).message).toMatch(
      /no Completion Time, Transaction Status, Paid In/,
    );
    expect((await refusal(read(`${HEADER}\n${credit('UL7A1B2C3D', '2026-12-07 10:00:30', '10.50')}\n`))).message).toBe(
      'Row 2: Paid In 10.50 is not whole shillings',
    );
    expect((await refusal(read(`${HEADER}\n${credit('??', '2026-12-07 10:00:30', '10')}\n`))).message).toMatch(
      /Row 2: Receipt No/,
    );
  });

  it('When a statement exceeds the byte or row limit, then it is refused while streaming', async () => {
    const many = [
      HEADER,
      ...Array.from({ length: 20 }, (_, i) => credit(`UL7A${String(i).padStart(6, '0')}`, '2026-12-07 10:00:30', '10')),
    ].join('\n');
    expect((await refusal(read(many, { maxBytes: 1_000_000, maxRows: 10 }))).message).toMatch(/more than 10 rows/);
    expect((await refusal(read(many, { maxBytes: 500, maxRows: 1000 }))).message).toMatch(/larger than/);
    const chunks = Readable.from(Array.from({ length: 50 }, () => Buffer.alloc(64 * 1024, '\n')));
    expect((await refusal(readStatementCsv(chunks, { maxBytes: 1024 * 1024, maxRows: 1000 }))).message).toMatch(
      /larger than 1 MB/,
    );
  });
});
