/**
 * Key material for the disburseFunds transports, made at test time and never committed: a test CA,
 * a server certificate for localhost / 127.0.0.1, a client certificate (mutual TLS), RSA key pairs for
 * JWE/JWS and PGP key pairs. Written to a temp directory so accounts refer to them as `file:` paths.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import * as openpgp from 'openpgp';

export interface RsaPair {
  privateKey: string; // PKCS#8 PEM
  publicKey: string; // SPKI PEM
}

export function rsaPair(bits = 2048): RsaPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface PgpPair {
  privateKey: string; // armored
  publicKey: string; // armored
}

export async function pgpPair(name: string): Promise<PgpPair> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'rsa',
    rsaBits: 2048,
    userIDs: [{ name, email: `${name}@test.invalid` }],
    format: 'armored',
  });
  return { privateKey, publicKey };
}

export interface Certificate {
  cert: string;
  key: string;
}

/** A certificate for `key` signed by `issuer` (self-signed when absent). */
function certificate(commonName: string, pair: RsaPair, options: { issuer?: Certificate; ca?: boolean; altNames?: object[] }): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  const issuer = options.issuer ? forge.pki.certificateFromPem(options.issuer.cert) : undefined;
  cert.setIssuer(issuer ? issuer.subject.attributes : subject);
  const extensions: object[] = [{ name: 'basicConstraints', cA: options.ca === true }];
  if (options.ca) extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true });
  else
    extensions.push(
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    );
  if (options.altNames) extensions.push({ name: 'subjectAltName', altNames: options.altNames });
  cert.setExtensions(extensions);
  const signer = forge.pki.privateKeyFromPem(options.issuer ? options.issuer.key : pair.privateKey);
  cert.sign(signer, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export interface TlsMaterial {
  ca: Certificate;
  server: Certificate;
  client: Certificate;
  /** A client certificate from a CA the server does not trust. */
  strangerClient: Certificate;
}

export function tlsMaterial(): TlsMaterial {
  const caPair = rsaPair();
  const ca = { cert: certificate('disburse test CA', caPair, { ca: true }), key: caPair.privateKey };
  const leaf = (name: string, issuer: Certificate, altNames?: object[]) => {
    const pair = rsaPair();
    return { cert: certificate(name, pair, { issuer, altNames }), key: pair.privateKey };
  };
  const server = leaf('localhost', ca, [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
  ]);
  const strangerPair = rsaPair();
  const strangerCa = { cert: certificate('stranger CA', strangerPair, { ca: true }), key: strangerPair.privateKey };
  return { ca, server, client: leaf('integrator client', ca), strangerClient: leaf('stranger client', strangerCa) };
}

/** A temp directory for key files (`file:` references); remove() deletes it. */
export function keyDir(): { ref(name: string, content: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cuwo-transport-keys-'));
  return {
    ref: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return `file:${path}`;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A line from the middle of a key's base64: found in a text only if the key itself is there. */
export function keyMarker(key: string): string {
  const lines = key.split('\n').filter((l) => /^[A-Za-z0-9+/]{40,}$/.test(l));
  return lines[Math.floor(lines.length / 2)].slice(0, 40);
}
