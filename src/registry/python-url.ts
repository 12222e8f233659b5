// Python's urllib.parse.urlparse and unquote_plus, as MLflow's server applies them to model version
// sources: validation must accept and refuse exactly what MLflow does, so the URL is split its way.
import { isIPv6 } from 'node:net';
import { InvalidParameter } from '../core/errors.js';

export interface PyParsedUrl {
  /** Lower-cased; '' when the URL has none. */
  scheme: string;
  netloc: string;
  path: string;
  /** Lower-cased host from netloc without userinfo, port or IPv6 brackets; null when empty. */
  hostname: string | null;
}

const SCHEME_CHARS = /^[A-Za-z0-9+.-]+$/;
/** Schemes whose last path segment may carry `;params`, which urlparse splits off the path. */
const USES_PARAMS = new Set([
  '',
  'ftp',
  'hdl',
  'prospero',
  'http',
  'imap',
  'https',
  'shttp',
  'rtsp',
  'rtspu',
  'sip',
  'sips',
  'mms',
  'sftp',
  'tel',
]);

function hostnameOf(netloc: string): string | null {
  const host = netloc.slice(netloc.lastIndexOf('@') + 1);
  let name: string;
  if (host.startsWith('[')) {
    name = host.slice(1, host.indexOf(']') < 0 ? undefined : host.indexOf(']'));
  } else {
    name = host.split(':')[0];
  }
  return name === '' ? null : name.toLowerCase();
}

/** urlparse's _splitparams: the path ends at the first ';' of its last segment. */
function stripParams(path: string): string {
  const semi = path.indexOf(';', Math.max(path.lastIndexOf('/'), 0));
  return semi < 0 ? path : path.slice(0, semi);
}

/** urlsplit's _check_bracketed_netloc: what sits in brackets must be an IPv6 (or IPvFuture) address. */
function bracketedHostIsValid(netloc: string): boolean {
  const hostAndPort = netloc.slice(netloc.lastIndexOf('@') + 1);
  const open = hostAndPort.indexOf('[');
  if (open > 0) return false;
  const bracketed = hostAndPort.slice(open + 1);
  const close = bracketed.indexOf(']');
  const host = close < 0 ? bracketed : bracketed.slice(0, close);
  const port = close < 0 ? '' : bracketed.slice(close + 1);
  if (port !== '' && !port.startsWith(':')) return false;
  return host.startsWith('v') ? /^v[a-fA-F0-9]+\..+$/s.test(host) : isIPv6(host);
}

/**
 * Splits `url` as Python 3.11's urlparse; a bracketed host that is not an IPv6 address is refused as
 * Python refuses it (ValueError "Invalid IPv6 URL"), here with InvalidParameter naming `what`.
 */
export function pyUrlParse(url: string, what = 'URI'): PyParsedUrl {
  // as urlsplit: leading C0 controls and spaces are stripped, tabs and newlines dropped anywhere
  // biome-ignore lint/suspicious/noControlCharactersInRegex: urlsplit strips C0 controls and spaces, as Python does
  let rest = url.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[A-Za-z]/.test(rest) && SCHEME_CHARS.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
    const brackets = Number(netloc.includes('[')) + Number(netloc.includes(']'));
    if (brackets === 1 || (brackets === 2 && !bracketedHostIsValid(netloc))) {
      throw new InvalidParameter(`${what} '${url}' is not a valid URI: the host in brackets is not an IPv6 address.`);
    }
  }
  let path = rest.split('#')[0].split('?')[0];
  if (USES_PARAMS.has(scheme) && path.includes(';')) path = stripParams(path);
  return { scheme, netloc, path, hostname: hostnameOf(netloc) };
}

/** Python's unquote: each run of %XX escapes is decoded as UTF-8 (bad bytes become U+FFFD); the rest is kept. */
export function pyUnquote(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/** Python's unquote_plus: '+' is a space, then unquote. */
export function pyUnquotePlus(text: string): string {
  return pyUnquote(text.replace(/\+/g, ' '));
}
