import { DEFAULT_EMBEDDING_DIMENSIONS, FALLBACK_EMBEDDING_DIMENSIONS } from './embedding';

/** Listed when the fake is started without `models`: one chat and one embedding model per protocol. */
export const DEFAULT_MODELS: readonly string[] = ['llama3.2', 'nomic-embed-text', 'gpt-4o-mini', 'text-embedding-3-small'];

/** The models a fake knows about, and how large their embeddings are. */
export class ModelCatalog {
  readonly names: readonly string[];
  /** True when the fake was given an explicit model list: other names are then "not found". */
  readonly restricted: boolean;
  private readonly dimensions: Readonly<Record<string, number>>;

  constructor(models: readonly string[] | undefined, dimensionOverrides: Readonly<Record<string, number>> = {}) {
    this.names = models ? [...models] : DEFAULT_MODELS;
    this.restricted = models !== undefined;
    this.dimensions = { ...DEFAULT_EMBEDDING_DIMENSIONS, ...dimensionOverrides };
  }

  /** Whether a request may use this model; 'llama3.2' and 'llama3.2:latest' are the same model. */
  has(model: string): boolean {
    if (!this.restricted) return true;
    const wanted = withOllamaTag(model);
    return this.names.some((name) => withOllamaTag(name) === wanted);
  }

  embeddingDimensions(model: string): number {
    const untagged = model.endsWith(':latest') ? model.slice(0, -':latest'.length) : model;
    const family = model.split(':')[0] ?? model;
    return this.dimensions[model] ?? this.dimensions[untagged] ?? this.dimensions[family] ?? FALLBACK_EMBEDDING_DIMENSIONS;
  }
}

/** Ollama names without a tag mean ':latest'. */
export function withOllamaTag(model: string): string {
  return model.includes(':') ? model : `${model}:latest`;
}

export function isEmbeddingModel(model: string): boolean {
  return /embed|minilm|bge|e5-/i.test(model);
}
