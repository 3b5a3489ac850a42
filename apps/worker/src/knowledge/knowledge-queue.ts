import { KNOWLEDGE_JOB_OPTIONS, KNOWLEDGE_JOB_PAYLOADS, type TKnowledgeJobName, type TKnowledgeJobPayload } from '@babble-buddy/shared';
import type { JobsOptions, Queue } from 'bullmq';

/** Job options from the shared defaults with this deployment's attempts and first backoff. */
export function knowledgeJobOptions(retry: { attempts: number; backoffMs: number }): JobsOptions {
  return { ...KNOWLEDGE_JOB_OPTIONS, attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffMs } };
}

/** Adds jobs whose payloads are checked against the shared registry before they reach Redis. */
export async function enqueueMany<N extends TKnowledgeJobName>(queue: Queue, name: N, payloads: TKnowledgeJobPayload<N>[], options: JobsOptions): Promise<void> {
  const schema = KNOWLEDGE_JOB_PAYLOADS[name];
  await queue.addBulk(payloads.map((payload) => ({ name, data: schema.parse(payload), opts: options })));
}
