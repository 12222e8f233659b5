// Which IP addresses a webhook may be sent to: globally routable unicast ones only, unless the
// operator allows private networks (CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS=true). Anyone who may register
// a webhook could otherwise make the server POST to loopback services, the LAN or a cloud metadata
// endpoint (169.254.169.254). IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged
// by that IPv4 address.
import { isIP } from 'node:net';

export const ALLOW_PRIVATE_ENV = 'CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS';

/** CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: true/1/yes allow private, loopback and link-local receivers. */
export function privateWebhookAddressesAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env[ALLOW_PRIVATE_ENV] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0' || raw === 'no') return false;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  throw new Error(`${ALLOW_PRIVATE_ENV} must be true or false, got '${env[ALLOW_PRIVATE_ENV]}'`);
}

type Prefix = readonly [bytes: readonly number[], bits: number];

// IANA special-purpose and non-unicast ranges (RFC 6890 and successors)
const IPV4_NOT_PUBLIC: readonly Prefix[] = [
  [[0], 8],
  [[10], 8],
  [[100, 64], 10],
  [[127], 8],
  [[169, 254], 16],
  [[172, 16], 12],
  [[192, 0, 0], 24],
  [[192, 0, 2], 24],
  [[192, 88, 99], 24],
  [[192, 168], 16],
  [[198, 18], 15],
  [[198, 51, 100], 24],
  [[203, 0, 113], 24],
  [[224], 4],
  [[240], 4],
];
const IPV6_NOT_PUBLIC: readonly Prefix[] = [
  [[], 96], // :: , ::1 and the deprecated IPv4-compatible ::a.b.c.d
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48], // local-use NAT64
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64], // discard-only
  [[0x20, 0x01, 0x00], 23], // IETF protocol assignments, Teredo included
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0xfc], 7], // unique local
  [[0xfe, 0x80], 10], // link-local
  [[0xfe, 0xc0], 10], // site-local (deprecated)
  [[0xff], 8], // multicast
];

function inPrefix(addr: readonly number[], [bytes, bits]: Prefix): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((addr[i] ?? 0) & mask) !== ((bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return out.every((n) => n >= 0 && n <= 255) ? out : null;
}

/** 16 bytes of an IPv6 address (with `::` and an optional dotted IPv4 tail); null when malformed. */
function parseIPv6(s: string): number[] | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

const isPublicV4 = (b: readonly number[]) => !IPV4_NOT_PUBLIC.some((p) => inPrefix(b, p));

/** True for a globally routable unicast address; false for private, loopback, link-local, reserved or non-IP text. */
export function isPublicAddress(address: string): boolean {
  let ip = bareHost(address);
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  const kind = isIP(ip);
  if (kind === 4) {
    const b = parseIPv4(ip);
    return b !== null && isPublicV4(b);
  }
  if (kind !== 6) return false;
  const b = parseIPv6(ip);
  if (!b) return false;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  // IPv4-mapped ::ffff:a.b.c.d and NAT64 64:ff9b::a.b.c.d carry an IPv4 address in their last 4 bytes
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return isPublicV4(b.slice(12));
  if (inPrefix(b, [[0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96])) return isPublicV4(b.slice(12));
  // 6to4 2002:aabb:ccdd::/48 routes to the IPv4 address aa.bb.cc.dd
  if (b[0] === 0x20 && b[1] === 0x02) return isPublicV4(b.slice(2, 6));
  return !IPV6_NOT_PUBLIC.some((p) => inPrefix(b, p));
}

/** Host names that always mean this machine (RFC 6761), refused without a lookup. */
function isLocalHostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/** A URL's hostname without the brackets of an IPv6 literal. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * A URL host refused without any lookup: a localhost name, or an IP literal that is not public.
 * (An IP literal is connected to without a lookup, so a literal is judged here or nowhere.)
 */
export function isNonPublicLiteralHost(hostname: string): boolean {
  const host = bareHost(hostname);
  return isLocalHostName(host) || (isIP(host) !== 0 && !isPublicAddress(host));
}
