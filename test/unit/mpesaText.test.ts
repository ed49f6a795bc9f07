import fc from 'fast-check';
import { ACCOUNT_REFERENCE, TRANSACTION_DESC, cleanMpesaText } from '../../domain/mpesaText';
import { buildStkPushBody } from '../../daraja/requestBuilder';
import type { StkPushRequest } from '../../daraja/types';
import { stkPushRequestSchema } from '../../api/useCases/startStkPush';
import { expressPaymentSchema } from '../../api/routes/expressApiSchemas';
import { addChannelSchema } from '../../api/useCases/channels';

const credentials = { shortcode: '174379', passkey: 'test-passkey' };
const timestamp = '20240201003005';

const push = (description: string, accountReference = 'INV-1'): StkPushRequest => ({
  channel: { type: 'paybill', partyB: '600100', accountReference },
  phoneNumber: '0712345678',
  amount: 100,
  description,
  callbackUrl: 'https://pay.example.com/hooks/daraja/t/1',
});

/** Strings as merchants' systems send them: ASCII, accents, emoji, control characters, anything in Unicode. */
const anyText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.stringMatching(/^[ A-Za-z0-9.,_#/&'":<>%\t-]{0,16}$/),
  fc.constantFrom(
    'Café',
    'Crème brûlée',
    'A&B',
    '😀😀😀😀😀😀😀',
    "O'Brien",
    'Order: 1',
    '"x"',
    '<b>',
    '50%',
    'a\tb',
    '   ',
    'Ünïcödé Ltd',
  ),
);

describe('M-Pesa text fields: one rule for the API and the request builder', () => {
  it('When any string is accepted by POST /api/stk-push as description, then the builder accepts it and sends the cleaned value', () => {
    fc.assert(
      fc.property(anyText, (description) => {
        const parsed = stkPushRequestSchema.safeParse({
          account_id: 1,
          phone_number: '0712345678',
          amount: 100,
          description,
        });
        if (!parsed.success) return;
        const body = buildStkPushBody({ request: push(parsed.data.description!), credentials, timestamp });
        expect(body.TransactionDesc).toBe(parsed.data.description);
        expect(body.TransactionDesc).toMatch(/^[A-Za-z0-9 .,_#/-]{1,13}$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('When any string is accepted by the Express API as description and accountReference, then the builder accepts both', () => {
    fc.assert(
      fc.property(anyText, anyText, (description, accountReference) => {
        const parsed = expressPaymentSchema.safeParse({ amount: 100, description, accountReference });
        if (!parsed.success) return;
        const body = buildStkPushBody({
          request: push(parsed.data.description, parsed.data.accountReference),
          credentials,
          timestamp,
        });
        expect(body.AccountReference).toMatch(/^[A-Za-z0-9 .,_#/-]{1,12}$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('When any string is accepted as a channel account_reference, then the builder accepts it', () => {
    fc.assert(
      fc.property(anyText, (accountReference) => {
        const parsed = addChannelSchema.safeParse({
          account_type: 'paybill',
          account_number: '600100',
          account_reference: accountReference,
        });
        if (!parsed.success) return;
        expect(() =>
          buildStkPushBody({ request: push('Order', parsed.data.account_reference!), credentials, timestamp }),
        ).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('When the API refuses a value, then the builder refuses it too (the two never disagree)', () => {
    fc.assert(
      fc.property(anyText, (description) => {
        const api = stkPushRequestSchema.safeParse({
          account_id: 1,
          phone_number: '0712345678',
          amount: 100,
          description,
        }).success;
        const builder = cleanMpesaText('description', TRANSACTION_DESC, description).ok;
        expect(api).toBe(builder);
      }),
      { numRuns: 2000 },
    );
  });

  it('When accented letters are sent, then they are transliterated, and the length is counted after cleaning', () => {
    expect(cleanMpesaText('description', TRANSACTION_DESC, 'Café')).toEqual({ ok: true, value: 'Cafe' });
    expect(cleanMpesaText('description', TRANSACTION_DESC, '  Crème brûlée  ')).toEqual({
      ok: true,
      value: 'Creme brulee',
    });
    expect(cleanMpesaText('account_reference', ACCOUNT_REFERENCE, 'Ünïcödé Ltd')).toEqual({
      ok: true,
      value: 'Unicode Ltd',
    });
  });

  it.each([
    ['A&B', '"&"'],
    ["O'Brien", `"'"`],
    ['Order: 1', '":"'],
    ['"x"', 'U+0022'],
    ['<b>', '"<"'],
    ['50%', '"%"'],
    ['a\tb', 'U+0009'],
    ['😀😀😀😀😀😀😀', 'U+1F600'],
  ])('When the description is %j, then it is refused naming the character', (value, found) => {
    const result = cleanMpesaText('description', TRANSACTION_DESC, value);
    expect(result).toEqual({
      ok: false,
      message: expect.stringContaining('may contain only letters, digits, spaces and . , _ # / -'),
    });
    expect(!result.ok && result.message).toContain(found);
  });

  it('When the value is blank, too long or not a string, then it is refused with a message that says so', () => {
    expect(cleanMpesaText('description', TRANSACTION_DESC, '   ')).toEqual({
      ok: false,
      message: 'description must be 1 to 13 characters; it cannot be blank',
    });
    expect(cleanMpesaText('description', TRANSACTION_DESC, 'A'.repeat(14))).toEqual({
      ok: false,
      message: expect.stringContaining('1 to 13 characters'),
    });
    expect(cleanMpesaText('account_reference', ACCOUNT_REFERENCE, 'A'.repeat(13))).toEqual({
      ok: false,
      message: expect.stringContaining('1 to 12 characters'),
    });
    expect(cleanMpesaText('description', TRANSACTION_DESC, 42)).toEqual({
      ok: false,
      message: 'description must be a string',
    });
  });
});
