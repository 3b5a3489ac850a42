import type { z } from 'zod';
import {
  ZAgent,
  ZApiKey,
  ZAdminUser,
  ZCreatedKey,
  ZCreateTenantResponse,
  ZLlmConfig,
  ZLlmTestResult,
  ZLoginResponse,
  ZMember,
  ZSetupStatus,
  ZTenant,
  type TAddMemberRequest,
  type TAgent,
  type TAgentInput,
  type TAgentUpdate,
  type TAdminUser,
  type TApiKey,
  type TCreatedKey,
  type TCreateKeyRequest,
  type TCreateTenantRequest,
  type TCreateTenantResponse,
  type TUpdateKeyRequest,
  type TListModelsRequest,
  type TLlmConfig,
  type TLlmConfigInput,
  type TLlmTestResult,
  type TLoginRequest,
  type TLoginResponse,
  type TMember,
  type TSetupRequest,
  type TSetupStatus,
  type TTenant,
  type TUpdateTenantRequest,
} from '../admin.schema';
import {
  ZAuditPage,
  ZStatsResponse,
  ZUsageResponse,
  type TAuditPage,
  type TAuditQuery,
  type TInsightsQuery,
  type TStatsResponse,
  type TUsageResponse,
} from '../admin-insights.schema';
import {
  ZConversationDetail,
  ZConversationPage,
  type TConversationDetail,
  type TConversationExportFormat,
  type TConversationListQuery,
  type TConversationPage,
} from '../admin-conversations.schema';
import {
  ZEmbeddingConfig,
  ZEmbeddingConfigUpdate,
  ZKnowledgeSettings,
  ZKnowledgeSource,
  ZKnowledgeSourceDetail,
  ZSourcePage,
  ZUploadFilesResponse,
  type TAddUrlRequest,
  type TEmbeddingConfig,
  type TEmbeddingConfigInput,
  type TEmbeddingConfigUpdate,
  type TKnowledgeSettings,
  type TKnowledgeSource,
  type TKnowledgeSourceDetail,
  type TListSourcesQuery,
  type TSourcePage,
  type TUploadFilesResponse,
} from '../knowledge.schema';
import { ZPlaygroundEvent, type TPlaygroundChatRequest, type TPlaygroundEvent } from '../playground.schema';
import { ZKnowledgeSearchResponse, type TKnowledgeSearchRequest, type TKnowledgeSearchResponse } from '../retrieval.schema';
import { ZWidgetConfig, type TWidgetConfig, type TWidgetConfigUpdate } from '../widget.schema';
import { BabbleBuddyError, send, toError } from './http';
import { readEvents } from './sse';

export interface AdminClientOptions {
  /** The gateway's base URL; '' for the page's own origin (the admin served by the gateway). */
  apiUrl: string;
  /** The bearer token from `auth.login` or `setup.create`; a function to read the current one on every call. */
  token?: string | null | (() => string | null);
  fetch?: typeof fetch;
}

export interface DownloadedFile {
  filename: string;
  contentType: string;
  body: Blob;
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** A file to upload: a browser `File` (its name is used) or a Blob with a name. */
export interface UploadFile {
  name: string;
  body: Blob;
}

export interface UploadOptions {
  agentId?: string;
  /** Bytes sent so far of the whole request (browsers only: it needs XMLHttpRequest's upload events). */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

/** Typed client of the admin REST API (`/api/v1/admin`): every answer is checked against its shared schema. */
export interface AdminClient {
  setup: {
    status(): Promise<TSetupStatus>;
    /** Creates the first platform owner and signs in (only while there is no admin user). */
    create(request: TSetupRequest): Promise<TLoginResponse>;
  };
  auth: {
    login(request: TLoginRequest): Promise<TLoginResponse>;
    /** Ends this token's session on the server. */
    logout(): Promise<void>;
    me(): Promise<TAdminUser>;
  };
  tenants: {
    list(): Promise<TTenant[]>;
    get(tenantId: string): Promise<TTenant>;
    create(request: TCreateTenantRequest): Promise<TCreateTenantResponse>;
    update(tenantId: string, request: TUpdateTenantRequest): Promise<TTenant>;
    remove(tenantId: string): Promise<void>;
  };
  keys: {
    list(tenantId: string): Promise<TApiKey[]>;
    create(tenantId: string, request: TCreateKeyRequest): Promise<TCreatedKey>;
    update(tenantId: string, keyId: string, request: TUpdateKeyRequest): Promise<TApiKey>;
    revoke(tenantId: string, keyId: string): Promise<TApiKey>;
  };
  llm: {
    list(tenantId: string): Promise<TLlmConfig[]>;
    save(tenantId: string, priority: number, input: TLlmConfigInput): Promise<TLlmConfig>;
    remove(tenantId: string, priority: number): Promise<void>;
    /** Connection test of the stored config at `priority`. */
    test(tenantId: string, priority: number): Promise<TLlmTestResult>;
    /** Connection test and model list of settings not saved yet. */
    models(tenantId: string, request: TListModelsRequest): Promise<TLlmTestResult>;
  };
  /** The tenant's embedding model (knowledge settings); a change re-embeds its sources in the background. */
  embedding: {
    get(tenantId: string): Promise<TEmbeddingConfig>;
    save(tenantId: string, input: TEmbeddingConfigInput): Promise<TEmbeddingConfigUpdate>;
    /** Back to the deployment default. */
    reset(tenantId: string): Promise<TEmbeddingConfigUpdate>;
  };
  /** Knowledge sources: files, web pages and crawls; their status changes arrive on the `/admin` socket. */
  knowledge: {
    list(tenantId: string, query?: Partial<TListSourcesQuery>): Promise<TSourcePage>;
    get(tenantId: string, sourceId: string): Promise<TKnowledgeSourceDetail>;
    /**
     * multipart `files` (several at once). With `onProgress` in a browser the upload goes through
     * XMLHttpRequest, the only browser API that reports upload progress.
     */
    upload(tenantId: string, files: UploadFile[], options?: UploadOptions): Promise<TUploadFilesResponse>;
    addUrl(tenantId: string, request: TAddUrlRequest): Promise<TKnowledgeSource>;
    remove(tenantId: string, sourceId: string): Promise<void>;
    reindex(tenantId: string, sourceId: string): Promise<TKnowledgeSource>;
    settings(tenantId: string): Promise<TKnowledgeSettings>;
    /** Platform owners only. */
    saveSettings(tenantId: string, settings: TKnowledgeSettings): Promise<TKnowledgeSettings>;
    /** The chunks retrieval would use for `query` (as `agentId` would in chat, when given), with every score. */
    search(tenantId: string, request: TKnowledgeSearchRequest): Promise<TKnowledgeSearchResponse>;
  };
  /** Chat as a visitor through the real pipeline (agent role or higher), with debug events. */
  playground: {
    /**
     * One turn, read as it is written: `for await (const event of api.playground.chat(tenantId, { message }))`.
     * The chat stream's events plus `debug_prompt` (retrieved chunks, the prompt as sent) and
     * `debug_usage` (tokens, time to first token, latency, cost) before `done`.
     */
    chat(tenantId: string, request: TPlaygroundChatRequest, options?: { signal?: AbortSignal }): AsyncGenerator<TPlaygroundEvent>;
  };
  widget: {
    get(tenantId: string): Promise<TWidgetConfig>;
    /** Fields given are set, omitted ones kept, `null` restores a default. */
    update(tenantId: string, update: TWidgetConfigUpdate): Promise<TWidgetConfig>;
  };
  agents: {
    list(tenantId: string): Promise<TAgent[]>;
    create(tenantId: string, input: TAgentInput): Promise<TAgent>;
    update(tenantId: string, agentId: string, input: TAgentUpdate): Promise<TAgent>;
    remove(tenantId: string, agentId: string): Promise<void>;
  };
  members: {
    list(tenantId: string): Promise<TMember[]>;
    add(tenantId: string, request: TAddMemberRequest): Promise<TMember>;
    remove(tenantId: string, userId: string): Promise<void>;
  };
  conversations: {
    list(tenantId: string, query?: TConversationListQuery): Promise<TConversationPage>;
    get(tenantId: string, conversationId: string): Promise<TConversationDetail>;
    export(tenantId: string, conversationId: string, format: TConversationExportFormat): Promise<DownloadedFile>;
    remove(tenantId: string, conversationId: string): Promise<void>;
  };
  stats(query?: TInsightsQuery): Promise<TStatsResponse>;
  usage(query?: TInsightsQuery): Promise<TUsageResponse>;
  audit(query?: TAuditQuery): Promise<TAuditPage>;
}

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const server = apiUrl || 'the server';

  function currentToken(): string | null {
    return typeof options.token === 'function' ? options.token() : (options.token ?? null);
  }

  async function call(method: string, path: string, body?: unknown, query?: Query, init: { accept?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const headers = new Headers({ accept: init.accept ?? 'application/json' });
    const token = currentToken();
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (body !== undefined) headers.set('content-type', 'application/json');
    const request: RequestInit = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...(init.signal ? { signal: init.signal } : {}) };
    return send(doFetch, `${apiUrl}/api/v1/admin/${path}${queryString(query)}`, request, server);
  }

  async function json<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, query?: Query): Promise<z.output<S>> {
    return parsed(schema, await call(method, path, body, query), `${method} ${path}`);
  }

  async function empty(method: string, path: string): Promise<void> {
    await call(method, path);
  }

  const t = (tenantId: string) => `tenants/${encodeURIComponent(tenantId)}`;

  async function parsed<S extends z.ZodType>(schema: S, response: Response, what: string): Promise<z.output<S>> {
    const result = schema.safeParse(await response.json());
    if (!result.success) throw new BabbleBuddyError('INTERNAL', `Unexpected answer from ${what}: ${result.error.issues[0]?.message ?? 'invalid'}`, response.status);
    return result.data;
  }

  async function upload(tenantId: string, files: UploadFile[], options: UploadOptions = {}): Promise<TUploadFilesResponse> {
    const form = new FormData();
    if (options.agentId) form.set('agentId', options.agentId);
    for (const file of files) form.append('files', file.body, file.name);
    const path = `${t(tenantId)}/knowledge/files`;
    const url = `${apiUrl}/api/v1/admin/${path}`;
    const token = currentToken();
    if (!options.onProgress || typeof XMLHttpRequest === 'undefined') {
      const headers = new Headers({ accept: 'application/json' });
      if (token) headers.set('authorization', `Bearer ${token}`);
      const response = await send(doFetch, url, { method: 'POST', headers, body: form, ...(options.signal ? { signal: options.signal } : {}) }, server);
      return parsed(ZUploadFilesResponse, response, `POST ${path}`);
    }
    const onProgress = options.onProgress;
    const response = await new Promise<Response>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.setRequestHeader('accept', 'application/json');
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : 0);
      xhr.onload = () => resolve(new Response(xhr.responseText, { status: xhr.status, headers: { 'content-type': xhr.getResponseHeader('content-type') ?? 'application/json' } }));
      xhr.onerror = () => reject(new BabbleBuddyError('NETWORK_ERROR', `Could not reach ${server}: the upload was interrupted`, 0));
      xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
      options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(form);
    });
    if (!response.ok) throw await toError(response);
    return parsed(ZUploadFilesResponse, response, `POST ${path}`);
  }

  return {
    setup: {
      status: () => json(ZSetupStatus, 'GET', 'setup'),
      create: (request) => json(ZLoginResponse, 'POST', 'setup', request),
    },
    auth: {
      login: (request) => json(ZLoginResponse, 'POST', 'auth/login', request),
      logout: () => empty('POST', 'auth/logout'),
      me: () => json(ZAdminUser, 'GET', 'auth/me'),
    },
    tenants: {
      list: () => json(ZTenant.array(), 'GET', 'tenants'),
      get: (tenantId) => json(ZTenant, 'GET', t(tenantId)),
      create: (request) => json(ZCreateTenantResponse, 'POST', 'tenants', request),
      update: (tenantId, request) => json(ZTenant, 'PATCH', t(tenantId), request),
      remove: (tenantId) => empty('DELETE', t(tenantId)),
    },
    keys: {
      list: (tenantId) => json(ZApiKey.array(), 'GET', `${t(tenantId)}/keys`),
      create: (tenantId, request) => json(ZCreatedKey, 'POST', `${t(tenantId)}/keys`, request),
      update: (tenantId, keyId, request) => json(ZApiKey, 'PATCH', `${t(tenantId)}/keys/${encodeURIComponent(keyId)}`, request),
      revoke: (tenantId, keyId) => json(ZApiKey, 'DELETE', `${t(tenantId)}/keys/${encodeURIComponent(keyId)}`),
    },
    llm: {
      list: (tenantId) => json(ZLlmConfig.array(), 'GET', `${t(tenantId)}/llm`),
      save: (tenantId, priority, input) => json(ZLlmConfig, 'PUT', `${t(tenantId)}/llm/${priority}`, input),
      remove: (tenantId, priority) => empty('DELETE', `${t(tenantId)}/llm/${priority}`),
      test: (tenantId, priority) => json(ZLlmTestResult, 'POST', `${t(tenantId)}/llm/${priority}/test`),
      models: (tenantId, request) => json(ZLlmTestResult, 'POST', `${t(tenantId)}/llm/models`, request),
    },
    embedding: {
      get: (tenantId) => json(ZEmbeddingConfig, 'GET', `${t(tenantId)}/knowledge/embedding`),
      save: (tenantId, input) => json(ZEmbeddingConfigUpdate, 'PUT', `${t(tenantId)}/knowledge/embedding`, input),
      reset: (tenantId) => json(ZEmbeddingConfigUpdate, 'DELETE', `${t(tenantId)}/knowledge/embedding`),
    },
    knowledge: {
      list: (tenantId, query = {}) => json(ZSourcePage, 'GET', `${t(tenantId)}/knowledge/sources`, undefined, query),
      get: (tenantId, sourceId) => json(ZKnowledgeSourceDetail, 'GET', `${t(tenantId)}/knowledge/sources/${encodeURIComponent(sourceId)}`),
      upload,
      addUrl: (tenantId, request) => json(ZKnowledgeSource, 'POST', `${t(tenantId)}/knowledge/urls`, request),
      remove: (tenantId, sourceId) => empty('DELETE', `${t(tenantId)}/knowledge/sources/${encodeURIComponent(sourceId)}`),
      reindex: (tenantId, sourceId) => json(ZKnowledgeSource, 'POST', `${t(tenantId)}/knowledge/sources/${encodeURIComponent(sourceId)}/reindex`),
      settings: (tenantId) => json(ZKnowledgeSettings, 'GET', `${t(tenantId)}/knowledge/settings`),
      saveSettings: (tenantId, settings) => json(ZKnowledgeSettings, 'PUT', `${t(tenantId)}/knowledge/settings`, settings),
      search: (tenantId, request) => json(ZKnowledgeSearchResponse, 'POST', `${t(tenantId)}/knowledge/search`, request),
    },
    playground: {
      async *chat(tenantId, request, streamOptions = {}) {
        const response = await call('POST', `${t(tenantId)}/playground/chat`, request, undefined, { accept: 'text/event-stream', ...streamOptions });
        yield* readEvents(response, ZPlaygroundEvent);
      },
    },
    widget: {
      get: (tenantId) => json(ZWidgetConfig, 'GET', `${t(tenantId)}/widget`),
      update: (tenantId, update) => json(ZWidgetConfig, 'PUT', `${t(tenantId)}/widget`, update),
    },
    agents: {
      list: (tenantId) => json(ZAgent.array(), 'GET', `${t(tenantId)}/agents`),
      create: (tenantId, input) => json(ZAgent, 'POST', `${t(tenantId)}/agents`, input),
      update: (tenantId, agentId, input) => json(ZAgent, 'PATCH', `${t(tenantId)}/agents/${encodeURIComponent(agentId)}`, input),
      remove: (tenantId, agentId) => empty('DELETE', `${t(tenantId)}/agents/${encodeURIComponent(agentId)}`),
    },
    members: {
      list: (tenantId) => json(ZMember.array(), 'GET', `${t(tenantId)}/members`),
      add: (tenantId, request) => json(ZMember, 'POST', `${t(tenantId)}/members`, request),
      remove: (tenantId, userId) => empty('DELETE', `${t(tenantId)}/members/${encodeURIComponent(userId)}`),
    },
    conversations: {
      list: (tenantId, query = {}) => json(ZConversationPage, 'GET', `${t(tenantId)}/conversations`, undefined, query),
      get: (tenantId, conversationId) => json(ZConversationDetail, 'GET', `${t(tenantId)}/conversations/${encodeURIComponent(conversationId)}`),
      async export(tenantId, conversationId, format) {
        const response = await call('GET', `${t(tenantId)}/conversations/${encodeURIComponent(conversationId)}/export`, undefined, { format });
        const disposition = response.headers.get('content-disposition') ?? '';
        const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `conversation-${conversationId}.${format}`;
        return { filename, contentType: response.headers.get('content-type') ?? '', body: await response.blob() };
      },
      remove: (tenantId, conversationId) => empty('DELETE', `${t(tenantId)}/conversations/${encodeURIComponent(conversationId)}`),
    },
    stats: (query = {}) => json(ZStatsResponse, 'GET', 'stats', undefined, query),
    usage: (query = {}) => json(ZUsageResponse, 'GET', 'usage', undefined, query),
    audit: (query = {}) => json(ZAuditPage, 'GET', 'audit', undefined, query),
  };
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
