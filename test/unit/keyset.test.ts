import { keysetAfter, keysetAfterId, keysetOrder, keysetPage } from '../../db/keyset';

describe('keyset paging', () => {
  it('When there is no cursor, then the first page has no condition', () => {
    expect(keysetAfter(['id'], 'desc', undefined)).toBeNull();
    expect(keysetAfterId('desc', undefined)).toEqual({});
  });

  it('When a list runs newest first by one key, then the next page is below the last id', () => {
    expect(keysetAfter(['c.id'], 'desc', [42])).toEqual({ sql: 'c.id < ?', params: [42] });
    expect(keysetAfterId('desc', 42)).toEqual({ id: { $lt: 42 } });
  });

  it('When a list runs oldest first, then the next page is above the last id', () => {
    expect(keysetAfter(['id'], 'asc', [42])).toEqual({ sql: 'id > ?', params: [42] });
    expect(keysetAfterId('asc', 0)).toEqual({ id: { $gt: 0 } });
  });

  it('When the order has two keys, then rows compare as a whole and each value keeps its placeholder', () => {
    const keys = [['t.created_at', '?::timestamptz'], 't.id'] as const;
    expect(keysetAfter(keys, 'desc', ['2026-11-30T10:00:00.000000Z', 9])).toEqual({
      sql: '(t.created_at, t.id) < (?::timestamptz, ?)',
      params: ['2026-11-30T10:00:00.000000Z', 9],
    });
    expect(keysetOrder(keys, 'desc')).toBe('t.created_at desc, t.id desc');
  });

  it('When the cursor does not hold one value per key, then it is refused', () => {
    expect(() => keysetAfter(['t.created_at', 't.id'], 'desc', [9])).toThrow('A cursor of 2 values was expected');
  });

  it('When the query found one row more than the page, then the page ends at its last row and more follow', () => {
    expect(keysetPage([5, 4, 3], 2)).toEqual({ page: [5, 4], last: 4 });
  });

  it('When the query found no more than the page, then it is the last page', () => {
    expect(keysetPage([5, 4], 2)).toEqual({ page: [5, 4], last: undefined });
    expect(keysetPage([], 2)).toEqual({ page: [], last: undefined });
  });
});
