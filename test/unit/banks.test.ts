import { KENYAN_BANKS, findBank } from '../../domain/banks';

describe('Kenyan banks', () => {
  it('When a bank is looked up, then case and spacing do not matter, and an unknown name finds nothing', () => {
    expect(findBank('Equity Bank')).toEqual({ name: 'Equity Bank', paybill: '247247' });
    expect(findBank('  kcb   BANK ')).toEqual({ name: 'KCB Bank', paybill: '522522' });
    expect(findBank('Equity')).toBeUndefined();
  });

  it('When the list is read, then every paybill is an M-Pesa shortcode and names and paybills are unique', () => {
    expect(KENYAN_BANKS.every((b) => /^\d{5,7}$/.test(b.paybill))).toBe(true);
    expect(new Set(KENYAN_BANKS.map((b) => b.name.toLowerCase())).size).toBe(KENYAN_BANKS.length);
    expect(new Set(KENYAN_BANKS.map((b) => b.paybill)).size).toBe(KENYAN_BANKS.length);
  });
});
