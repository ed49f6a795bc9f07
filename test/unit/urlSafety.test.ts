import {
  checkCallbackUrl,
  checkResolvedAddresses,
  isPublicAddress,
  parseIpv6,
  type LookupAll,
} from '../../domain/urlSafety';

describe('isPublicAddress', () => {
  it.each([
    ['10.0.0.1', '10/8'],
    ['10.255.255.255', '10/8'],
    ['172.16.0.1', '172.16/12'],
    ['172.31.255.254', '172.16/12'],
    ['192.168.1.10', '192.168/16'],
    ['127.0.0.1', '127/8'],
    ['127.8.9.10', '127/8'],
    ['169.254.169.254', '169.254/16 (cloud metadata)'],
    ['0.0.0.0', '0/8'],
    ['0.1.2.3', '0/8'],
    ['100.64.0.1', '100.64/10'],
    ['100.127.255.255', '100.64/10'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fc00::1', 'fc00::/7'],
    ['fd12:3456:789a::1', 'fc00::/7'],
    ['fe80::1', 'fe80::/10'],
    ['fe80::1%eth0', 'fe80::/10 with a zone'],
    ['febf:ffff::1', 'fe80::/10 upper end'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped 169.254.169.254 in hex'],
    ['[::1]', 'bracketed as in a URL'],
    ['64:ff9b::c0a8:0101', 'NAT64 of 192.168.1.1'],
    ['2002:0a00:0001::1', '6to4 of 10.0.0.1'],
    ['not-an-ip', 'not an address'],
    ['1.2.3', 'three octets'],
    ['01.2.3.4', 'octal-looking octet'],
    ['::ffff:0:7f00:1', 'IPv4-translated 127.0.0.1 (::ffff:0:0:0/96)'],
    ['::ffff:0:808:808', 'IPv4-translated, even of a public address (SIIT, not routed)'],
    ['64:ff9b:1::a00:1', 'local-use NAT64 (64:ff9b:1::/48)'],
    ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1'],
    ['2002:c0a8:0101::1', '6to4 of 192.168.1.1'],
    ['2002:7f00:1::1', '6to4 of 127.0.0.1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo (2001::/32)'],
    ['2001:2::1', 'benchmarking (2001:2::/48)'],
    ['2001:db8::1', 'documentation (2001:db8::/32)'],
    ['3fff::1', 'documentation (3fff::/20)'],
    ['5f00::1', 'SRv6 SIDs (5f00::/16)'],
    ['100::1', 'discard-only (100::/64)'],
    ['100:0:0:1::1', 'dummy prefix (100:0:0:1::/64)'],
    ['::7f00:1', 'IPv4-compatible 127.0.0.1 (deprecated)'],
    ['fb00::1', 'unallocated space outside 2000::/3'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['192.0.0.170', 'NAT64 discovery (192.0.0.0/24)'],
    ['198.18.0.1', 'benchmarking'],
  ])('When the address is %s (%s), then it is not public', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    ['8.8.8.8'],
    ['41.90.64.1'],
    ['172.15.255.255'], // just below 172.16/12
    ['172.32.0.1'], // just above
    ['100.63.255.255'], // just below 100.64/10
    ['100.128.0.1'], // just above
    ['169.253.1.1'],
    ['2001:4860:4860::8888'],
    ['2c0f:fe38::1'],
    ['2002:0808:0808::1'], // 6to4 of a public address
    ['64:ff9b::808:808'], // NAT64 of a public address
    ['2001:200::1'], // just above 2001::/23
    ['3fff:1000::1'.replace('3fff:1000', '3ffe:ffff')], // just below 3fff::/20
    ['::ffff:8.8.8.8'],
  ])('When the address is %s, then it is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it('When IPv6 uses :: in different places, then it parses to the same 16 bytes', () => {
    expect(parseIpv6('fe80::1')).toEqual(parseIpv6('fe80:0:0:0:0:0:0:1'));
    expect(parseIpv6('::ffff:1.2.3.4')!.slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeNull();
  });
});

describe('checkCallbackUrl', () => {
  const production = { production: true, allowPrivateTargets: false };
  const development = { production: false, allowPrivateTargets: false };
  const developmentWithLocalReceivers = { production: false, allowPrivateTargets: true };

  it('When in production, then only HTTPS to a public host passes', () => {
    expect(checkCallbackUrl('https://shop.example.com/payment/callback', production).ok).toBe(true);
    expect(checkCallbackUrl('https://8.8.8.8/cb', production).ok).toBe(true);
    expect(checkCallbackUrl('http://shop.example.com/cb', production)).toEqual({
      ok: false,
      reason: 'callback_url must use HTTPS',
    });
    expect(checkCallbackUrl('https://10.0.0.5/cb', production)).toEqual({
      ok: false,
      reason: 'callback_url points at a non-public address (10.0.0.5)',
    });
    expect(checkCallbackUrl('https://[::1]:8443/cb', production)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('::1'),
    });
    expect(checkCallbackUrl('https://[::ffff:127.0.0.1]/cb', production)).toMatchObject({ ok: false });
    expect(checkCallbackUrl('https://[::ffff:0:7f00:1]/', production)).toMatchObject({ ok: false });
    expect(checkCallbackUrl('https://2130706433/cb', production)).toMatchObject({ ok: false }); // WHATWG URL turns this into 127.0.0.1
  });

  it('When in development, then plain http is allowed but private and loopback addresses are not', () => {
    expect(checkCallbackUrl('http://shop.example.com/cb', development).ok).toBe(true);
    expect(checkCallbackUrl('http://127.0.0.1:8080/cb', development)).toEqual({
      ok: false,
      reason: 'callback_url points at a non-public address (127.0.0.1)',
    });
    expect(checkCallbackUrl('http://192.168.1.20:22/', development)).toMatchObject({ ok: false });
  });

  it('When WEBHOOK_ALLOW_PRIVATE_TARGETS is set in development, then local http receivers are allowed so merchants can test', () => {
    expect(checkCallbackUrl('http://127.0.0.1:8080/cb', developmentWithLocalReceivers).ok).toBe(true);
    expect(checkCallbackUrl('http://localhost:3000/cb', developmentWithLocalReceivers).ok).toBe(true);
  });

  it('When the URL is malformed, not http(s), or carries credentials, then it is refused everywhere', () => {
    for (const options of [production, development, developmentWithLocalReceivers]) {
      expect(checkCallbackUrl('not a url', options).ok).toBe(false);
      expect(checkCallbackUrl('ftp://shop.example.com/cb', options).ok).toBe(false);
      expect(checkCallbackUrl('https://user:pass@shop.example.com/cb', options).ok).toBe(false);
      expect(checkCallbackUrl(`https://shop.example.com/${'a'.repeat(2048)}`, options).ok).toBe(false);
    }
  });
});

describe('checkResolvedAddresses', () => {
  const answering =
    (...addresses: string[]): LookupAll =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('When every address of the name is public, then it passes with those addresses', async () => {
    await expect(
      checkResolvedAddresses('shop.example.com', answering('8.8.8.8', '2001:4860:4860::8888')),
    ).resolves.toEqual({ ok: true, addresses: ['8.8.8.8', '2001:4860:4860::8888'] });
  });

  it('When any address of the name is not public, then it is refused naming that address', async () => {
    await expect(
      checkResolvedAddresses('rebind.example.com', answering('8.8.8.8', '169.254.169.254')),
    ).resolves.toEqual({
      ok: false,
      reason: 'rebind.example.com resolves to a non-public address (169.254.169.254)',
    });
  });

  it('When the name does not resolve, then it is refused', async () => {
    const failing: LookupAll = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(checkResolvedAddresses('nowhere.example', failing)).resolves.toEqual({
      ok: false,
      reason: 'nowhere.example could not be resolved',
    });
    await expect(checkResolvedAddresses('empty.example', answering())).resolves.toMatchObject({ ok: false });
  });

  it('When the host is an IP literal, then no lookup is made and the literal itself is judged', async () => {
    const lookup = jest.fn(answering('8.8.8.8'));
    await expect(checkResolvedAddresses('[fd00::1]', lookup)).resolves.toMatchObject({ ok: false });
    await expect(checkResolvedAddresses('8.8.4.4', lookup)).resolves.toEqual({ ok: true, addresses: ['8.8.4.4'] });
    expect(lookup).not.toHaveBeenCalled();
  });
});
