import {
  CitationTracker,
  citationFor,
  KNOWLEDGE_ONLY_SNIPPET_CHARS,
  knowledgeOnlyAnswer,
  type Citation,
  type HybridSearchResult,
  type KnowledgePassage,
} from '@babble-buddy/ai';

/** How a knowledge-only answer is recorded: no model wrote it, the knowledge base did. */
export const KNOWLEDGE_ONLY_PROVIDER = 'knowledge';
export const KNOWLEDGE_ONLY_MODEL = 'knowledge-search';

/**
 * The knowledge one chat turn retrieved: the passages for the prompt, and the citations the answer
 * earns as it streams (see CitationTracker for the rule: the passages its [n] markers reference, or
 * every passage when it uses none).
 */
export class TurnKnowledge {
  readonly citations: Citation[];
  private readonly tracker: CitationTracker;

  constructor(
    readonly passages: KnowledgePassage[],
    /** What was searched for (the question, or its rewrite for a follow-up): snippets show its words. */
    readonly query: string,
    /** The search the passages came from (hits with their scores; passage n is hit n), for the playground's debug view. */
    readonly search: { result: HybridSearchResult; embeddingModel: string | null },
  ) {
    this.citations = passages.map((passage) => citationFor(passage, query));
    this.tracker = new CitationTracker(this.citations);
  }

  /** Citations referenced for the first time by the text so far. */
  onText(text: string): Citation[] {
    return this.tracker.update(text);
  }

  finish(text: string): { all: Citation[]; fresh: Citation[] } {
    return this.tracker.finish(text);
  }

  /** The answer when no model is reachable: the passages as labelled search results, with longer snippets. */
  knowledgeOnly(): { text: string; citations: Citation[] } {
    const citations = this.passages.map((passage) => citationFor(passage, this.query, KNOWLEDGE_ONLY_SNIPPET_CHARS));
    return { text: knowledgeOnlyAnswer(citations), citations };
  }
}
