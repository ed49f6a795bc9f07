/**
 * Rules for merchants' callback URLs. ImaraPay POSTs to whatever URL a merchant saves, so a URL must
 * never reach ImaraPay's own network (SSRF) unless a development setting allows it: loopback, private, link-local,
 * carrier-grade NAT, unique-local, reserved and every other special-purpose address (IANA's IPv4
 * and IPv6 Special-Purpose Address Registries, RFC 6890) is refused, whether written literally or
 * reached through a hostname. Pure: name resolution is passed in (`LookupAll`).
 */

/** Longest callback URL accepted; longer ones are almost certainly not endpoints. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** Non-public IPv4 ranges: [first octets as a 32-bit number, prefix length, what it is]. */
const NON_PUBLIC_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

/**
 * Non-public ranges inside IPv6 global unicast (2000::/3), from IANA's IPv6 Special-Purpose Address
 * Registry (RFC 6890 and later), as [address, prefix length]. Everything outside 2000::/3 is not
 * public anyway (only that block is allocated for global unicast), apart from IPv4-mapped and
 * NAT64 addresses, which `isPublicAddress` judges by the IPv4 address they carry.
 */
const NON_PUBLIC_V6: ReadonlyArray<readonly [string, number]> = [
  // IETF protocol assignments (RFC 2928): Teredo 2001::/32 (RFC 4380), benchmarking 2001:2::/48,
  // ORCHID, AMT and the anycast service addresses. None is a place a merchant's receiver lives, and
  // Teredo carries an IPv4 address (obfuscated) that could be private.
  ['2001::', 23],
  ['2001:db8::', 32], // documentation (RFC 3849)
  ['3fff::', 20], // documentation (RFC 9637)
  ['5f00::', 16], // SRv6 segment identifiers (RFC 9602)
];
/** Parses dotted-quad IPv4 (exactly four decimal octets) into 4 bytes, or null. */
export function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

/** Parses an IPv6 address (with `::`, an embedded IPv4 tail, and an optional `%zone`) into 16 bytes, or null. */
export function parseIpv6(text: string): number[] | null {
  const address = text.replace(/%.*$/, '');
  if (!/^[0-9a-f:.]+$/i.test(address) || (address.match(/::/g) ?? []).length > 1) return null;
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  if (!left || !right) return null;
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const words = [...left, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...right];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function inRange(bytes: number[], network: number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((bytes[bit >> 3]! & mask) !== (network[bit >> 3]! & mask)) return false;
  }
  return true;
}

const isPublicV4 = (bytes: number[]) => !NON_PUBLIC_V4.some(([net, prefix]) => inRange(bytes, parseIpv4(net)!, prefix));

/**
 * Whether an IP address (IPv4 or IPv6 text) is on the public internet. IPv4 carried inside IPv6 is
 * judged by its IPv4 address where the network delivers it to that address: mapped ::ffff:a.b.c.d
 * (RFC 4291), NAT64 64:ff9b::/96 (RFC 6052) and 6to4 2002::/16 (RFC 3056). Other IPv6 is public
 * only inside global unicast 2000::/3 and outside IANA's special-purpose ranges, so IPv4-translated
 * ::ffff:0:a.b.c.d (RFC 2765), IPv4-compatible ::a.b.c.d, local-use NAT64 64:ff9b:1::/48 (RFC 8215),
 * the discard and dummy prefixes, unique-local, link-local, site-local and multicast are all refused.
 * Anything that does not parse is not public.
 */
export function isPublicAddress(ip: string): boolean {
  const v4 = parseIpv4(ip);
  if (v4) return isPublicV4(v4);
  const v6 = parseIpv6(ip.replace(/^\[|\]$/g, ''));
  if (!v6) return false;
  const zeros = (from: number, to: number) => v6.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && v6[10] === 0xff && v6[11] === 0xff) return isPublicV4(v6.slice(12)); // ::ffff:a.b.c.d
  if (inRange(v6, parseIpv6('64:ff9b::')!, 96)) return isPublicV4(v6.slice(12));
  if (inRange(v6, parseIpv6('2002::')!, 16)) return isPublicV4(v6.slice(2, 6));
  if (!inRange(v6, parseIpv6('2000::')!, 3)) return false;
  return !NON_PUBLIC_V6.some(([net, prefix]) => inRange(v6, parseIpv6(net)!, prefix));
}

/** The IP literal a URL's hostname is, without IPv6 brackets, or null for a name. */
export function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return parseIpv4(bare) || parseIpv6(bare) ? bare : null;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export interface CallbackUrlRules {
  /** Production: HTTPS only. */
  production: boolean;
  /** Whether private, loopback and other non-public addresses may be targets (WEBHOOK_ALLOW_PRIVATE_TARGETS, never in production). */
  allowPrivateTargets: boolean;
}

/**
 * The syntax rules of a callback URL: absolute http(s), no credentials in it, not too long; in
 * production HTTPS only; unless private targets are allowed, no literal non-public address.
 * Hostnames are checked by `checkResolvedAddresses` once resolved.
 */
export function checkCallbackUrl(raw: string, { production, allowPrivateTargets }: CallbackUrlRules): UrlCheck {
  if (raw.length > MAX_CALLBACK_URL_LENGTH)
    return { ok: false, reason: `callback_url must be at most ${MAX_CALLBACK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      ok: false,
      reason: 'callback_url must be an absolute URL such as https://shop.example.com/payment/callback',
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: 'callback_url must be an http(s) URL' };
  if (production && url.protocol !== 'https:') return { ok: false, reason: 'callback_url must use HTTPS' };
  // Credentials in a URL end up in logs and in the deliveries list; a receiver should check the signature instead.
  if (url.username || url.password)
    return {
      ok: false,
      reason: 'callback_url must not contain a user name or password; verify the ImaraPay-Signature header instead',
    };
  if (allowPrivateTargets) return { ok: true, url };
  const literal = ipLiteralOf(url.hostname);
  if (literal !== null && !isPublicAddress(literal))
    return { ok: false, reason: `callback_url points at a non-public address (${literal})` };
  return { ok: true, url };
}

/** Resolves a hostname to every address it has (like dns.promises.lookup with { all: true }). */
export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/**
 * Resolves a hostname and refuses it when any of its addresses is not public: an attacker's name
 * that answers with both a public and a private address must not get through.
 */
export async function checkResolvedAddresses(
  hostname: string,
  lookup: LookupAll,
): Promise<{ ok: true; addresses: string[] } | { ok: false; reason: string }> {
  const literal = ipLiteralOf(hostname);
  if (literal !== null) {
    return isPublicAddress(literal)
      ? { ok: true, addresses: [literal] }
      : { ok: false, reason: `${literal} is a non-public address` };
  }
  let resolved: Array<{ address: string }>;
  try {
    resolved = await lookup(hostname);
  } catch {
    return { ok: false, reason: `${hostname} could not be resolved` };
  }
  if (resolved.length === 0) return { ok: false, reason: `${hostname} could not be resolved` };
  const blocked = resolved.find((a) => !isPublicAddress(a.address));
  if (blocked) return { ok: false, reason: `${hostname} resolves to a non-public address (${blocked.address})` };
  return { ok: true, addresses: resolved.map((a) => a.address) };
}
