/**
 * Local HTTP stand-ins for the key services, written for the tests from each service's public
 * API documentation (request paths and bodies, auth headers, answer shapes, error shapes).
 * They are NOT the real services: they check what a real one would refuse (missing or wrong
 * auth, wrong key, wrong context, tampered ciphertext) and encrypt with AES-256-GCM per key
 * version, so the providers' whole request/response path runs without a cloud account.
 *
 * - HashiCorp Vault Transit: `POST /v1/<mount>/encrypt|decrypt|rewrap/<key>`,
 *   `POST /v1/<mount>/keys/<key>/rotate`, `GET /v1/<mount>/keys/<key>`, AppRole login at
 *   `POST /v1/auth/approle/login`; `X-Vault-Token`; errors `{"errors": [...]}`.
 * - AWS KMS (JSON 1.1 protocol): `POST /` with `X-Amz-Target: TrentService.Encrypt|Decrypt`,
 *   SigV4 `Authorization`; errors `{"__type": "...Exception", "message": ...}`.
 * - Google Cloud KMS: `POST /v1/<cryptoKey>:encrypt|decrypt`, `Authorization: Bearer`, tokens
 *   from `POST /token` (JWT bearer grant, RS256 assertion verified against the service
 *   account's public key); errors `{"error": {"code", "message", "status"}}`.
 */
import { createCipheriv, createDecipheriv, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importSPKI, jwtVerify } from 'jose';

export interface FakeServer {
  readonly url: string;
  /** Requests seen, by operation name. */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (sealed.length < 28) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    decipher.setAAD(aad);
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type });
  response.end(JSON.stringify(body));
}

async function listen(
  handler: (request: IncomingMessage, body: string, response: ServerResponse) => Promise<void> | void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => handler(request, body, response))
      .catch(() => send(response, 500, { errors: ['internal error'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

function count(calls: Map<string, number>, name: string): void {
  calls.set(name, (calls.get(name) ?? 0) + 1);
}

// ---------------------------------------------------------------- HashiCorp Vault Transit

export interface FakeTransit extends FakeServer {
  readonly rootToken: string;
  readonly roleId: string;
  readonly secretId: string;
  /** Makes every token issued so far invalid (to test AppRole re-login). */
  revokeTokens(): void;
}

export async function startFakeTransit(options: { mount?: string; leaseSeconds?: number } = {}): Promise<FakeTransit> {
  const mount = options.mount ?? 'transit';
  const rootToken = `hvs.${randomBytes(12).toString('hex')}`;
  const roleId = randomUUID();
  const secretId = randomUUID();
  const tokens = new Set([rootToken]);
  const keys = new Map<string, Buffer[]>();
  const calls = new Map<string, number>();
  const versionsOf = (name: string): Buffer[] => {
    let versions = keys.get(name);
    if (versions === undefined) {
      // Transit creates a key on first encrypt when the policy allows it (upsert).
      versions = [randomBytes(32)];
      keys.set(name, versions);
    }
    return versions;
  };
  const { server, url } = await listen((request, text, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'POST' && path === '/v1/auth/approle/login') {
      count(calls, 'login');
      const body = JSON.parse(text) as { role_id?: string; secret_id?: string };
      if (body.role_id !== roleId || body.secret_id !== secretId) return send(response, 400, { errors: ['invalid role or secret ID'] });
      const token = `hvs.${randomBytes(12).toString('hex')}`;
      tokens.add(token);
      return send(response, 200, { auth: { client_token: token, lease_duration: options.leaseSeconds ?? 3600, renewable: true } });
    }
    const token = request.headers['x-vault-token'];
    if (typeof token !== 'string' || !tokens.has(token)) return send(response, 403, { errors: ['permission denied'] });
    const match = new RegExp(`^/v1/${mount}/(encrypt|decrypt|rewrap|keys)/([^/]+)(/rotate)?$`).exec(path);
    if (match === null) return send(response, 404, { errors: [] });
    const [, operation, name = ''] = match;
    const rotate = match[3] !== undefined;
    if (operation === 'keys' && rotate && request.method === 'POST') {
      count(calls, 'rotate');
      versionsOf(name).push(randomBytes(32));
      return send(response, 204, {});
    }
    if (operation === 'keys' && request.method === 'GET') {
      const versions = keys.get(name);
      if (versions === undefined) return send(response, 404, { errors: [] });
      return send(response, 200, { data: { name, type: 'aes256-gcm96', latest_version: versions.length, min_decryption_version: 1 } });
    }
    const body = JSON.parse(text) as { plaintext?: string; ciphertext?: string };
    const encrypt = (plaintext: Buffer): string => {
      const versions = versionsOf(name);
      const version = versions.length;
      return `vault:v${version}:${seal(versions[version - 1] as Buffer, plaintext, Buffer.from(name)).toString('base64')}`;
    };
    const decrypt = (ciphertext: string | undefined): Buffer | undefined => {
      const parsed = /^vault:v(\d+):(.+)$/.exec(ciphertext ?? '');
      const versions = keys.get(name);
      const key = parsed === null || versions === undefined ? undefined : versions[Number(parsed[1]) - 1];
      if (parsed === null || key === undefined) return undefined;
      return open(key, Buffer.from(parsed[2] ?? '', 'base64'), Buffer.from(name));
    };
    if (operation === 'encrypt') {
      count(calls, 'encrypt');
      if (typeof body.plaintext !== 'string') return send(response, 400, { errors: ['missing plaintext to encrypt'] });
      const ciphertext = encrypt(Buffer.from(body.plaintext, 'base64'));
      return send(response, 200, { data: { ciphertext, key_version: keys.get(name)?.length } });
    }
    if (operation === 'decrypt' || operation === 'rewrap') {
      count(calls, operation);
      const plaintext = decrypt(body.ciphertext);
      if (plaintext === undefined) return send(response, 400, { errors: ['cipher: message authentication failed'] });
      if (operation === 'rewrap') return send(response, 200, { data: { ciphertext: encrypt(plaintext) } });
      return send(response, 200, { data: { plaintext: plaintext.toString('base64') } });
    }
    return send(response, 405, { errors: [] });
  });
  return {
    url,
    calls,
    rootToken,
    roleId,
    secretId,
    revokeTokens: () => {
      for (const token of [...tokens]) if (token !== rootToken) tokens.delete(token);
    },
    close: closer(server),
  };
}

// ---------------------------------------------------------------- AWS KMS

export interface FakeAwsKms extends FakeServer {
  readonly keyArn: string;
  readonly otherKeyArn: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

export async function startFakeAwsKms(region = 'eu-west-1'): Promise<FakeAwsKms> {
  const account = '111122223333';
  const keyArn = `arn:aws:kms:${region}:${account}:key/${randomUUID()}`;
  const otherKeyArn = `arn:aws:kms:${region}:${account}:key/${randomUUID()}`;
  const keys = new Map([
    [keyArn, randomBytes(32)],
    [otherKeyArn, randomBytes(32)],
  ]);
  const aliases = new Map([['alias/veil', keyArn]]);
  const credentials = { accessKeyId: 'AKIDVEILTEST', secretAccessKey: randomBytes(20).toString('hex') };
  const calls = new Map<string, number>();
  const resolveKey = (id: string | undefined): string | undefined => {
    if (id === undefined) return undefined;
    if (keys.has(id)) return id;
    const alias = aliases.get(id.replace(/^arn:aws:kms:[^:]+:\d+:/, ''));
    if (alias !== undefined) return alias;
    const byId = [...keys.keys()].find((arn) => arn.endsWith(`/${id}`));
    return byId;
  };
  const error = (response: ServerResponse, type: string, message: string, status = 400): void =>
    send(response, status, { __type: type, message }, 'application/x-amz-json-1.1');
  const contextAad = (context: Record<string, string> | undefined): Buffer =>
    Buffer.from(JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))));
  const { server, url } = await listen((request, text, response) => {
    const target = request.headers['x-amz-target'];
    const auth = request.headers.authorization ?? '';
    if (
      request.method !== 'POST' ||
      !/^AWS4-HMAC-SHA256 Credential=AKIDVEILTEST\/\d{8}\/[a-z0-9-]+\/kms\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/.test(auth) ||
      request.headers['x-amz-date'] === undefined
    ) {
      return error(response, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (!String(request.headers['content-type']).startsWith('application/x-amz-json-1.1')) {
      return error(response, 'SerializationException', 'wrong content type');
    }
    const body = JSON.parse(text) as {
      KeyId?: string;
      Plaintext?: string;
      CiphertextBlob?: string;
      EncryptionContext?: Record<string, string>;
    };
    if (target === 'TrentService.Encrypt') {
      count(calls, 'encrypt');
      const arn = resolveKey(body.KeyId);
      if (arn === undefined) return error(response, 'NotFoundException', `Key '${body.KeyId ?? ''}' does not exist`);
      const plaintext = Buffer.from(body.Plaintext ?? '', 'base64');
      if (plaintext.length === 0 || plaintext.length > 4096) return error(response, 'ValidationException', 'Plaintext length');
      const arnBytes = Buffer.from(arn);
      const blob = Buffer.concat([Buffer.from([arnBytes.length]), arnBytes, seal(keys.get(arn) as Buffer, plaintext, contextAad(body.EncryptionContext))]);
      return send(response, 200, { CiphertextBlob: blob.toString('base64'), KeyId: arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, 'application/x-amz-json-1.1');
    }
    if (target === 'TrentService.Decrypt') {
      count(calls, 'decrypt');
      const blob = Buffer.from(body.CiphertextBlob ?? '', 'base64');
      const arnLength = blob[0] ?? 0;
      const arn = blob.subarray(1, 1 + arnLength).toString();
      const key = keys.get(arn);
      if (key === undefined) return error(response, 'InvalidCiphertextException', '');
      if (body.KeyId !== undefined && resolveKey(body.KeyId) !== arn) {
        return error(response, 'IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
      }
      const plaintext = open(key, blob.subarray(1 + arnLength), contextAad(body.EncryptionContext));
      if (plaintext === undefined) return error(response, 'InvalidCiphertextException', '');
      return send(response, 200, { Plaintext: plaintext.toString('base64'), KeyId: arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, 'application/x-amz-json-1.1');
    }
    return error(response, 'UnknownOperationException', '');
  });
  return { url, calls, keyArn, otherKeyArn, credentials, close: closer(server) };
}

// ---------------------------------------------------------------- Google Cloud KMS

export interface FakeGcpKms extends FakeServer {
  readonly keyName: string;
  readonly otherKeyName: string;
  /** A service-account key file for this server (token_uri points at it). */
  readonly serviceAccount: { type: string; client_email: string; private_key: string; private_key_id: string; token_uri: string };
  /** Adds a key version and makes it primary. */
  rotate(keyName: string): void;
  tokensIssued(): number;
}

export async function startFakeGcpKms(): Promise<FakeGcpKms> {
  const ring = 'projects/veil-test/locations/europe-west1/keyRings/veil';
  const keyName = `${ring}/cryptoKeys/data-keys`;
  const otherKeyName = `${ring}/cryptoKeys/other`;
  const versions = new Map<string, Buffer[]>([
    [keyName, [randomBytes(32)]],
    [otherKeyName, [randomBytes(32)]],
  ]);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256');
  const clientEmail = 'veil-vault@veil-test.iam.gserviceaccount.com';
  const tokens = new Set<string>();
  const calls = new Map<string, number>();
  let issued = 0;
  let tokenUri = '';
  const error = (response: ServerResponse, code: number, status: string, message: string): void =>
    send(response, code, { error: { code, message, status } });
  const { server, url } = await listen(async (request, text, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'POST' && path === '/token') {
      count(calls, 'token');
      const form = new URLSearchParams(text);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        return send(response, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
      }
      try {
        const { payload } = await jwtVerify(form.get('assertion') ?? '', spki, { issuer: clientEmail, audience: tokenUri, algorithms: ['RS256'] });
        if (payload['scope'] !== 'https://www.googleapis.com/auth/cloudkms') throw new Error('scope');
      } catch {
        return send(response, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      }
      const token = `ya29.${randomBytes(16).toString('hex')}`;
      tokens.add(token);
      issued += 1;
      return send(response, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    const match = /^\/v1\/(projects\/[^:]+\/cryptoKeys\/[^/:]+):(encrypt|decrypt)$/.exec(path);
    if (request.method !== 'POST' || match === null) return error(response, 404, 'NOT_FOUND', 'not found');
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !tokens.has(bearer)) {
      return error(response, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    const [, name = '', operation] = match;
    const keyVersions = versions.get(name);
    if (keyVersions === undefined) return error(response, 404, 'NOT_FOUND', `${name} not found.`);
    const body = JSON.parse(text) as { plaintext?: string; ciphertext?: string; additionalAuthenticatedData?: string };
    const aad = Buffer.from(body.additionalAuthenticatedData ?? '', 'base64');
    if (operation === 'encrypt') {
      count(calls, 'encrypt');
      const version = keyVersions.length;
      const sealed = seal(keyVersions[version - 1] as Buffer, Buffer.from(body.plaintext ?? '', 'base64'), aad);
      const ciphertext = Buffer.concat([Buffer.from([version]), sealed]);
      return send(response, 200, {
        name: `${name}/cryptoKeyVersions/${version}`,
        ciphertext: ciphertext.toString('base64'),
        verifiedPlaintextCrc32c: false,
        protectionLevel: 'SOFTWARE',
      });
    }
    count(calls, 'decrypt');
    const blob = Buffer.from(body.ciphertext ?? '', 'base64');
    const key = keyVersions[(blob[0] ?? 0) - 1];
    const plaintext = key === undefined ? undefined : open(key, blob.subarray(1), aad);
    if (plaintext === undefined) return error(response, 400, 'INVALID_ARGUMENT', 'Decryption failed: the ciphertext is invalid.');
    return send(response, 200, { plaintext: plaintext.toString('base64'), usedPrimary: key === keyVersions[keyVersions.length - 1] });
  });
  tokenUri = `${url}/token`;
  return {
    url,
    calls,
    keyName,
    otherKeyName,
    serviceAccount: {
      type: 'service_account',
      client_email: clientEmail,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      private_key_id: randomBytes(20).toString('hex'),
      token_uri: tokenUri,
    },
    rotate: (name) => versions.get(name)?.push(randomBytes(32)),
    tokensIssued: () => issued,
    close: closer(server),
  };
}
