import { LlmError, messageOf, toLlmError } from './errors';
import { type ProviderName, resolveBaseUrl } from './types';

export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

export interface ProviderEndpoint {
  provider: ProviderName;
  baseUrl?: string;
  apiKey?: string;
}

export interface ProviderCheck {
  status: 'connected' | 'unreachable';
  latencyMs: number;
  error?: string;
  models?: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Model names out of Ollama's `/api/tags` (`{ models: [{ name }] }`) or OpenAI's `/models` (`{ data: [{ id }] }`). */
function parseModels(provider: ProviderName, body: unknown): string[] | undefined {
  const list = isRecord(body) ? body[provider === 'ollama' ? 'models' : 'data'] : undefined;
  if (!Array.isArray(list)) return undefined;
  const key = provider === 'ollama' ? 'name' : 'id';
  return list.flatMap((item: unknown) => {
    if (!isRecord(item)) return [];
    const name = item[key] ?? item['model'];
    return typeof name === 'string' ? [name] : [];
  });
}

async function fetchModels(endpoint: ProviderEndpoint, timeoutMs: number): Promise<string[]> {
  const base = resolveBaseUrl(endpoint.provider, endpoint.baseUrl);
  const url = endpoint.provider === 'ollama' ? `${base}/api/tags` : `${base}/models`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (endpoint.provider === 'openai' && endpoint.apiKey) headers['authorization'] = `Bearer ${endpoint.apiKey}`;
  const target = { provider: endpoint.provider, model: '' };
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { headers, signal: timeout });
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      throw new LlmError({
        kind: 'http',
        status: response.status,
        message: `HTTP ${response.status}${detail ? `: ${detail}` : ` ${response.statusText}`}`,
        ...target,
      });
    }
    const models = parseModels(endpoint.provider, await response.json());
    if (!models) throw new LlmError({ kind: 'malformed', message: `Unexpected answer from ${url}`, ...target });
    return models;
  } catch (error) {
    if (error instanceof LlmError) throw error;
    if (timeout.aborted) {
      throw new LlmError({ kind: 'timeout', message: `No answer within ${timeoutMs} ms`, ...target, cause: error });
    }
    throw toLlmError(error, target);
  }
}

/** Names of the models a provider serves (Ollama `GET /api/tags`, OpenAI `GET {baseUrl}/models`). Throws `LlmError`. */
export function listModels(
  config: ProviderEndpoint,
  options: { timeoutMs?: number } = {},
): Promise<string[]> {
  return fetchModels(config, options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS);
}

/** Whether a provider answers, how fast, and which models it has. Never throws. */
export async function checkProvider(
  config: ProviderEndpoint,
  options: { timeoutMs?: number } = {},
): Promise<ProviderCheck> {
  const startedAt = performance.now();
  const latency = (): number => Math.round(performance.now() - startedAt);
  try {
    const models = await fetchModels(config, options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS);
    return { status: 'connected', latencyMs: latency(), models };
  } catch (error) {
    return { status: 'unreachable', latencyMs: latency(), error: messageOf(error) };
  }
}
