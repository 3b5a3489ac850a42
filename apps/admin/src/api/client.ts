import { createAdminClient } from '@babble-buddy/shared';
import { currentToken } from '../auth/session';
import { apiUrl } from '../config';

/** The one admin API client: typed by packages/shared, answers checked against the shared schemas. */
export const api = createAdminClient({ apiUrl: apiUrl(), token: currentToken });
