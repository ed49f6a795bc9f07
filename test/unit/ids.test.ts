import { parseTransactionId } from '../../domain/ids';

describe('parseTransactionId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['1592049012', 1592049012],
    ['2147483647', 2147483647],
  ])('When the segment is %s, then the id is %i', (text, id) => {
    expect(parseTransactionId(text)).toBe(id);
  });

  it.each([undefined, '', '0', '007', '2147483648', '99999999999', 'ws_CO_1', '1e3', '-1'])(
    'When the segment is %p, then it is not a transaction id',
    (text) => {
      expect(parseTransactionId(text)).toBeNull();
    },
  );
});
