// Where a webhook may be sent: only public addresses unless private networks are allowed. Checked
// when a webhook is registered (IP literals, localhost) and where each delivery connects (every
// address a host name resolves to), against a real receiver on loopback.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/support/webhook-receiver.js';
import { isPublicAddress, privateWebhookAddressesAllowed } from './public-address.js';
import { sendWebhook } from './webhook-sender.js';
import { validateWebhookUrl } from './webhook-validation.js';

// Names under .test resolve through this table only, so a "rebinding" name can be made to point
// at loopback without a DNS server; every other name goes to the real resolver.
const fakeDns = vi.hoisted(() => new Map<string, { address: string; family: number }[]>());
vi.mock('node:dns', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns')>();
  const lookup = (host: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const fake = fakeDns.get(host);
    if (!fake) return (real.lookup as (...args: unknown[]) => void)(host, options, callback);
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    setImmediate(() => (all ? callback(null, fake) : callback(null, fake[0].address, fake[0].family)));
  };
  return { ...real, default: { ...real, lookup }, lookup };
});

describe('isPublicAddress', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:0808:0808::1',
  ])('%s is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '192.0.2.10',
    '203.0.113.7',
    '::1',
    '::',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '2001:db8::1',
    '2001::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:100.64.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:0001::1',
    '::127.0.0.1',
    'not-an-ip',
    '1.2.3',
    '',
  ])('%s is not public', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

describe('registering a webhook URL', () => {
  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://LOCALHOST./hook',
    'http://api.localhost/hook',
    'http://[::1]:9/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.5/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook',
    'http://0x7f.0.0.1/hook',
    'http://0177.0.0.1/hook',
  ])('refuses %s unless private networks are allowed', (url) => {
    expect(() => validateWebhookUrl(url, false)).toThrow(
      /is not a public address; set CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS=true/,
    );
    expect(validateWebhookUrl(url, true)).toBe(url);
  });

  it('accepts public IPs and host names (names are checked when a delivery connects)', () => {
    expect(validateWebhookUrl('https://hooks.example.com/x', false)).toBe('https://hooks.example.com/x');
    expect(validateWebhookUrl('http://8.8.8.8/x', false)).toBe('http://8.8.8.8/x');
  });

  it('reads CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS strictly', () => {
    expect(privateWebhookAddressesAllowed({})).toBe(false);
    expect(privateWebhookAddressesAllowed({ CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: 'false' })).toBe(false);
    expect(privateWebhookAddressesAllowed({ CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: 'TRUE' })).toBe(true);
    expect(privateWebhookAddressesAllowed({ CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: '1' })).toBe(true);
    expect(() => privateWebhookAddressesAllowed({ CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: 'maybe' })).toThrow(
      /must be true or false, got 'maybe'/,
    );
  });
});

describe('delivering', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  const send = (url: string, allowPrivateAddresses: boolean) =>
    sendWebhook({
      url,
      secret: receiver.secret,
      body: '{"id":"d1"}',
      event: 'WEBHOOK_TEST',
      deliveryId: 'd1',
      timeoutMs: 2000,
      allowPrivateAddresses,
    });

  it('never connects to a loopback receiver unless private networks are allowed', async () => {
    const before = receiver.received.length;
    const blocked = await send(receiver.url, false);
    expect(blocked).toMatchObject({ ok: false, statusCode: null });
    expect(blocked.error).toMatch(/^EBLOCKED: 127\.0\.0\.1 is not a public address/);
    expect(receiver.received.length).toBe(before);
    const allowed = await send(receiver.url, true);
    expect(allowed).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(receiver.received.length).toBe(before + 1);
    expect(receiver.received.at(-1)!.signatureValid).toBe(true);
  });

  it('refuses a host name when any address it resolves to is private, at connect time', async () => {
    fakeDns.set('rebind.test', [{ address: '127.0.0.1', family: 4 }]);
    fakeDns.set('mixed.test', [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ]);
    const before = receiver.received.length;
    const rebind = await send(`http://rebind.test:${receiver.port}/hook`, false);
    expect(rebind.error).toMatch(/^EBLOCKED: rebind\.test \(127\.0\.0\.1\) is not a public address/);
    const mixed = await send(`http://mixed.test:${receiver.port}/hook`, false);
    expect(mixed.error).toMatch(/^EBLOCKED: mixed\.test \(169\.254\.169\.254\) is not a public address/);
    expect(receiver.received.length).toBe(before);
  });

  it('does not follow redirects', async () => {
    receiver.script.push(302);
    const r = await send(receiver.url, true);
    expect(r).toMatchObject({ ok: false, statusCode: 302, error: 'HTTP 302' });
  });
});
