import { csvField, toCsv } from '../../domain/csv';

describe('CSV', () => {
  it('When fields hold commas, quotes or line breaks, then they are quoted with quotes doubled', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('When text starts like a spreadsheet formula, then it is prefixed with an apostrophe; numbers stay numbers', () => {
    expect(csvField('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)");
    expect(csvField('+254712345678')).toBe("'+254712345678");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
    expect(csvField(-5)).toBe('-5');
    expect(csvField(0)).toBe('0');
  });

  it('When values are missing, then the field is empty', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField('')).toBe('');
  });

  it('When a document is built, then it is the header and one CRLF-terminated line per row', () => {
    expect(
      toCsv(
        ['id', 'note'],
        [
          [1, 'a,b'],
          [2, null],
        ],
      ),
    ).toBe('id,note\r\n1,"a,b"\r\n2,\r\n');
    expect(toCsv(['id'], [])).toBe('id\r\n');
  });
});
