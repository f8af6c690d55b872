/** The AES-GCM payload codec and its HTTP server (the Web UI's way to show decrypted payloads). */
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, ENCRYPTED_ENCODING, newCodecKey, parseCodecKeys } from '../../src/codec/codec';
import { cuwoDataConverter } from '../../src/codec/data-converter';
import { startCodecServer } from '../../src/codec/server';

const payload = defaultPayloadConverter.toPayload({ customer: 'Asha Rao', pan: '4111111111111111', amount: '25.00' })!;

test('encrypts every payload: no plaintext left, key id in the metadata; decrypts back exactly', async () => {
  const codec = new AesGcmCodec(parseCodecKeys(newCodecKey('k1')));
  const [encrypted] = await codec.encode([payload]);
  expect(Buffer.from(encrypted.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
  expect(Buffer.from(encrypted.metadata!['encryption-key-id']!).toString()).toBe('k1');
  const raw = Buffer.from(encrypted.data!).toString('latin1');
  for (const secret of ['Asha Rao', '4111111111111111', '25.00']) expect(raw).not.toContain(secret);
  expect(defaultPayloadConverter.fromPayload((await codec.decode([encrypted]))[0])).toEqual({
    customer: 'Asha Rao',
    pan: '4111111111111111',
    amount: '25.00',
  });
});

test('key rotation: the first key encrypts, any configured key decrypts; an unknown key id is an error naming it', async () => {
  const oldKey = newCodecKey('old');
  const newKey = newCodecKey('new');
  const [byOld] = await new AesGcmCodec(parseCodecKeys(oldKey)).encode([payload]);
  const rotated = new AesGcmCodec(parseCodecKeys(`${newKey},${oldKey}`));
  expect(defaultPayloadConverter.fromPayload((await rotated.decode([byOld]))[0])).toMatchObject({ customer: 'Asha Rao' });
  const [byNew] = await rotated.encode([payload]);
  expect(Buffer.from(byNew.metadata!['encryption-key-id']!).toString()).toBe('new');
  await expect(new AesGcmCodec(parseCodecKeys(newCodecKey('other'))).decode([byNew])).rejects.toThrow('key "new"');
});

test('tampered ciphertext is refused (GCM authentication), plaintext payloads from before pass through', async () => {
  const codec = new AesGcmCodec(parseCodecKeys(newCodecKey('k1')));
  const [encrypted] = await codec.encode([payload]);
  const data = Buffer.from(encrypted.data!);
  data[20] ^= 0xff;
  await expect(codec.decode([{ ...encrypted, data }])).rejects.toThrow();
  expect(await codec.decode([payload])).toEqual([payload]);
});

test('key configuration errors name the problem; without keys the converter refuses unless plaintext is explicit', () => {
  expect(() => parseCodecKeys('nokey')).toThrow('must be <keyId>:<base64 key>');
  expect(() => parseCodecKeys('k:AAAA')).toThrow('must be 32 bytes');
  const key = newCodecKey('k');
  expect(() => parseCodecKeys(`${key},${key}`)).toThrow('key id twice');
  expect(() => cuwoDataConverter({})).toThrow('CUWO_CODEC_KEYS is not set');
  expect(cuwoDataConverter({ CUWO_PLAINTEXT_PAYLOADS: 'true' })).toEqual({});
  expect(cuwoDataConverter({ CUWO_CODEC_KEYS: key }).payloadCodecs).toHaveLength(1);
});

describe('codec server', () => {
  const codec = new AesGcmCodec(parseCodecKeys(newCodecKey('k1')));
  let server: Awaited<ReturnType<typeof startCodecServer>>;
  beforeAll(async () => {
    server = await startCodecServer({ codec, token: 'codec-token-123', allowedOrigins: ['http://127.0.0.1:8233'] });
  });
  afterAll(() => server.close());
  const asJson = (p: typeof payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  });

  test('decodes for a caller with the token (header or path); refuses without it', async () => {
    const [encrypted] = await codec.encode([payload]);
    const body = JSON.stringify({ payloads: [asJson(encrypted)] });
    const viaHeader = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer codec-token-123' },
      body,
    });
    expect(viaHeader.status).toBe(200);
    const decoded = (await viaHeader.json()) as { payloads: Array<{ data: string }> };
    expect(Buffer.from(decoded.payloads[0].data, 'base64').toString()).toContain('Asha Rao');
    expect(
      (await fetch(`${server.uiEndpoint}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status,
    ).toBe(200);
    expect((await fetch(`${server.url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(
      401,
    );
    expect(
      (await fetch(`${server.url}/t/wrong/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status,
    ).toBe(401);
  });

  test('encode then decode round-trips through HTTP; a malformed body is a 400', async () => {
    const headers = { 'content-type': 'application/json', authorization: 'Bearer codec-token-123' };
    const encoded = (await (
      await fetch(`${server.url}/encode`, { method: 'POST', headers, body: JSON.stringify({ payloads: [asJson(payload)] }) })
    ).json()) as { payloads: unknown[] };
    const decoded = (await (await fetch(`${server.url}/decode`, { method: 'POST', headers, body: JSON.stringify(encoded) })).json()) as {
      payloads: Array<{ data: string }>;
    };
    expect(decoded.payloads[0].data).toBe(Buffer.from(payload.data!).toString('base64'));
    expect((await fetch(`${server.url}/decode`, { method: 'POST', headers, body: '{"nope":1}' })).status).toBe(400);
  });

  test('CORS: the Web UI origin may call with its headers; another origin gets no allowance', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const ok = await preflight('http://127.0.0.1:8233');
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(ok.headers.get('access-control-allow-headers')).toContain('x-namespace');
    expect((await preflight('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
