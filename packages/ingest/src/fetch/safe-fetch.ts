import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { IngestError, KnowledgeErrorCode } from '../errors';
import { isAllowListed, isBlockedAddress, normalizeHost } from './address-policy';

export interface FetchPolicy {
  /** Hosts (names or IP literals) that may resolve to private, loopback or link-local addresses. */
  allowedPrivateHosts: readonly string[];
  /** Sent with every request, so site owners can tell who is reading their pages. */
  userAgent: string;
  /** Largest body accepted, after decompression. */
  maxBytes: number;
  /** Whole fetch, redirects and body included. */
  timeoutMs: number;
  maxRedirects: number;
}

export const DEFAULT_USER_AGENT = 'BabbleBuddyBot/0.1 (knowledge-base ingestion; +https://github.com/babble-buddy/babble-buddy)';

export const DEFAULT_FETCH_POLICY: FetchPolicy = {
  allowedPrivateHosts: [],
  userAgent: DEFAULT_USER_AGENT,
  maxBytes: 10 * 1024 * 1024,
  timeoutMs: 20_000,
  maxRedirects: 5,
};

export interface FetchedResource {
  /** After redirects. */
  url: string;
  status: number;
  contentType: string | null;
  /** The body of a 2xx answer; empty otherwise. */
  bytes: Buffer;
}

/**
 * GET with SSRF protection. Every hop (redirects are followed here, never by a library) checks its
 * host: IP literals directly, names through a DNS lookup whose answers are all checked and then used
 * for the connection itself, so the address checked is the address connected to (no rebinding
 * between check and connect). Private, loopback and link-local addresses are refused unless the
 * tenant allow-listed that host. Bodies are capped in size (after decompression) and time.
 */
export async function safeFetch(url: string, policy: FetchPolicy, options: { signal?: AbortSignal; accept?: string } = {}): Promise<FetchedResource> {
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let current = parseTarget(url);
  try {
    for (let hop = 0; ; hop++) {
      const response = await requestOnce(current, policy, options.accept ?? '*/*', signal);
      const location = response.headers.location;
      if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
        response.destroy();
        if (hop >= policy.maxRedirects) throw new IngestError(KnowledgeErrorCode.UrlUnreachable, `${url} redirects more than ${policy.maxRedirects} times`);
        current = parseTarget(new URL(location, current).toString());
        continue;
      }
      const status = response.statusCode ?? 0;
      const contentType = header(response, 'content-type');
      if (status < 200 || status >= 300) {
        response.destroy();
        return { url: current.toString(), status, contentType, bytes: Buffer.alloc(0) };
      }
      return { url: current.toString(), status, contentType, bytes: await readBody(response, policy, current) };
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw new IngestError(KnowledgeErrorCode.UrlUnreachable, `${current.host} did not answer within ${Math.round(policy.timeoutMs / 1000)} s`, { retryable: true });
    }
    throw toIngestError(error, current);
  }
}

/** 2xx, or a URL_UNREACHABLE error naming the status (5xx and 429 are worth retrying). */
export function ensureOk(resource: FetchedResource): FetchedResource {
  if (resource.status >= 200 && resource.status < 300) return resource;
  const retryable = resource.status >= 500 || resource.status === 429;
  throw new IngestError(KnowledgeErrorCode.UrlUnreachable, `${resource.url} answered HTTP ${resource.status}`, { retryable });
}

function parseTarget(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new IngestError(KnowledgeErrorCode.UrlUnreachable, `Not a valid URL: ${url.slice(0, 200)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new IngestError(KnowledgeErrorCode.BlockedAddress, `Only http and https URLs can be fetched, not ${target.protocol}`);
  }
  if (target.username || target.password) throw new IngestError(KnowledgeErrorCode.BlockedAddress, 'URLs with a user name or password are not fetched');
  target.hash = '';
  return target;
}

function blocked(host: string, address: string): IngestError {
  const where = host === address ? address : `${host} (${address})`;
  return new IngestError(
    KnowledgeErrorCode.BlockedAddress,
    `${where} is a private, loopback or link-local address; a platform owner can allow this host in the tenant's knowledge settings`,
  );
}

/** DNS lookup that refuses names with any blocked answer (unless allow-listed) and hands the checked answers to the socket. */
function guardedLookup(host: string, allowed: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = allowed ? undefined : addresses.find((entry) => isBlockedAddress(entry.address));
      if (refused) return callback(blocked(host, refused.address), '', 0);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

function requestOnce(target: URL, policy: FetchPolicy, accept: string, signal: AbortSignal): Promise<IncomingMessage> {
  const host = normalizeHost(target.hostname);
  const allowed = isAllowListed(host, policy.allowedPrivateHosts);
  if (isIP(host) && !allowed && isBlockedAddress(host)) return Promise.reject(blocked(host, host));
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: 'GET',
      // A fresh connection per request: the lookup above runs for every hop, no pooled socket skips it.
      agent: false,
      lookup: guardedLookup(host, allowed),
      signal,
      headers: {
        'user-agent': policy.userAgent,
        accept,
        'accept-encoding': 'gzip, deflate, br',
      },
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

async function readBody(response: IncomingMessage, policy: FetchPolicy, target: URL): Promise<Buffer> {
  const declared = Number(header(response, 'content-length') ?? NaN);
  const tooLarge = () => new IngestError(KnowledgeErrorCode.TooLarge, `${target.toString()} is larger than ${formatBytes(policy.maxBytes)}`);
  if (Number.isFinite(declared) && declared > policy.maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const encoding = header(response, 'content-encoding')?.toLowerCase();
  const decoder: Transform | null = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : null;
  const stream = decoder ? response.pipe(decoder) : response;
  if (decoder) response.once('error', (error) => decoder.destroy(error));
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of stream as AsyncIterable<Buffer>) {
      size += part.length;
      if (size > policy.maxBytes) throw tooLarge();
      parts.push(part);
    }
  } finally {
    response.destroy();
    decoder?.destroy();
  }
  return Buffer.concat(parts, size);
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET']);

function toIngestError(error: unknown, target: URL): IngestError {
  if (error instanceof IngestError) return error;
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOTFOUND') return new IngestError(KnowledgeErrorCode.UrlUnreachable, `The host ${target.hostname} does not exist (DNS lookup failed)`);
  if (code === 'Z_DATA_ERROR' || code === 'ERR_PADDING_1') return new IngestError(KnowledgeErrorCode.UrlUnreachable, `${target.toString()} sent a damaged compressed body`);
  const reason = code ?? (error instanceof Error ? error.message : String(error));
  return new IngestError(KnowledgeErrorCode.UrlUnreachable, `Could not fetch ${target.toString()}: ${reason}`, { retryable: code !== undefined && RETRYABLE_CODES.has(code), cause: error });
}

function header(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}
