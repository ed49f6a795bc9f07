import { nairobiTimestamp, parseNairobiTimestamp, stkPassword } from '../../daraja/timestamp';

describe('nairobiTimestamp', () => {
  it('When it is 21:30:05 UTC on 31 January, then Nairobi is already at 00:30:05 on 1 February', () => {
    expect(nairobiTimestamp(new Date('2024-01-31T21:30:05Z'))).toBe('20240201003005');
  });

  it('When it is the last second of a UTC year, then the Nairobi timestamp is in the next year', () => {
    expect(nairobiTimestamp(new Date('2023-12-31T23:59:59Z'))).toBe('20240101025959');
  });

  it('When the machine runs in another time zone, then the timestamp is still Nairobi time', () => {
    const original = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(nairobiTimestamp(new Date('2024-07-01T09:00:00Z'))).toBe('20240701120000');
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });
});

describe('parseNairobiTimestamp', () => {
  it('When a timestamp is parsed back, then it is the same instant', () => {
    const instant = new Date('2024-03-15T06:07:08Z');
    expect(parseNairobiTimestamp(nairobiTimestamp(instant))?.toISOString()).toBe(instant.toISOString());
  });

  it.each(['2024021500300', '20240230120000', '20241315120000', '20240215250000', '2024-02-15 12:0', 'abcdefghijklmn'])(
    'When the timestamp is %p, then it is not a valid timestamp',
    (value) => {
      expect(parseNairobiTimestamp(value)).toBeNull();
    },
  );
});

describe('stkPassword', () => {
  it("When given Safaricom's sandbox shortcode, passkey and timestamp, then it is the documented password", () => {
    const passkey = 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919';
    expect(stkPassword('174379', passkey, '20160216165627')).toBe(
      'MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMTYwMjE2MTY1NjI3',
    );
  });
});
