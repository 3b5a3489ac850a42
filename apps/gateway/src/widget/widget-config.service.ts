import { Inject, Injectable } from '@nestjs/common';
import type { DbClient, WidgetConfig } from '@babble-buddy/db';
import {
  WIDGET_DEFAULTS,
  ZLauncherIcon,
  ZSendOn,
  ZWidgetLocale,
  ZWidgetPosition,
  ZWidgetTheme,
  type TPublicWidgetConfig,
  type TWidgetConfig,
  type TWidgetConfigUpdate,
} from '@babble-buddy/shared';
import { z } from 'zod';
import type { Actor } from '../admin/actor';
import { AuditService, changes } from '../admin/audit.service';
import { assertTenantExists } from '../admin/tenant-scope';
import { DB } from '../infra/tokens';

type StoredFields = Omit<TWidgetConfig, 'tenantId' | 'updatedAt'>;

const DEFAULTS: StoredFields = {
  title: null,
  greeting: null,
  logoUrl: null,
  allowedOrigins: [],
  ...WIDGET_DEFAULTS,
};

// Rows are checked by SQL constraints; parsing again keeps the types honest without trusting casts.
const readField = {
  position: ZWidgetPosition.catch(WIDGET_DEFAULTS.position),
  theme: ZWidgetTheme.catch(WIDGET_DEFAULTS.theme),
  launcherIcon: ZLauncherIcon.catch(WIDGET_DEFAULTS.launcherIcon),
  locale: z.union([ZWidgetLocale, z.literal('auto')]).catch(WIDGET_DEFAULTS.locale),
  sendOn: ZSendOn.catch(WIDGET_DEFAULTS.sendOn),
};

function fieldsOf(row: WidgetConfig | null): StoredFields {
  if (!row) return { ...DEFAULTS };
  return {
    title: row.title,
    greeting: row.greeting,
    primaryColor: row.primaryColor,
    position: readField.position.parse(row.position),
    theme: readField.theme.parse(row.theme),
    logoUrl: row.logoUrl,
    launcherIcon: readField.launcherIcon.parse(row.launcherIcon),
    locale: readField.locale.parse(row.locale),
    sendOn: readField.sendOn.parse(row.sendOn),
    allowedOrigins: row.allowedOrigins,
  };
}

/**
 * A tenant's widget look and behaviour, and the tenant-wide origins its publishable keys accept on top
 * of their own lists. The admin API, the CLI and the public widget endpoint all read it from here.
 */
@Injectable()
export class WidgetConfigService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
  ) {}

  async get(tenantId: string): Promise<TWidgetConfig> {
    await assertTenantExists(this.db, tenantId);
    const row = await this.db.widgetConfig.findUnique({ where: { tenantId } });
    return { tenantId, ...fieldsOf(row), updatedAt: row?.updatedAt.toISOString() ?? null };
  }

  /** What the widget gets: no allowed origins, the tenant's name for the default title. */
  async publicConfig(tenant: { id: string; name: string }): Promise<TPublicWidgetConfig> {
    const { allowedOrigins: _origins, ...fields } = fieldsOf(await this.db.widgetConfig.findUnique({ where: { tenantId: tenant.id } }));
    return { tenantName: tenant.name, ...fields };
  }

  /** Sets the given fields (null = back to the default), keeps the others; audited with what changed. */
  async update(actor: Actor, tenantId: string, input: TWidgetConfigUpdate): Promise<TWidgetConfig> {
    const row = await this.db.$transaction(async (tx) => {
      await assertTenantExists(tx, tenantId);
      const before = fieldsOf(await tx.widgetConfig.findUnique({ where: { tenantId } }));
      const next: StoredFields = { ...before };
      for (const [field, value] of Object.entries(input) as [keyof StoredFields, unknown][]) {
        if (value === undefined) continue;
        (next as Record<string, unknown>)[field] = value === null ? DEFAULTS[field] : value;
      }
      next.allowedOrigins = [...new Set(next.allowedOrigins)];
      const row = await tx.widgetConfig.upsert({ where: { tenantId }, create: { tenantId, ...next }, update: next });
      const { allowedOrigins: originsBefore, ...scalarsBefore } = before;
      const { allowedOrigins: originsAfter, ...scalarsAfter } = next;
      const added = originsAfter.filter((origin) => !originsBefore.includes(origin));
      const removed = originsBefore.filter((origin) => !originsAfter.includes(origin));
      await this.audit.record(
        actor,
        {
          tenantId,
          action: 'widget.update',
          target: tenantId,
          details: {
            changes: changes(scalarsBefore, scalarsAfter),
            ...(added.length ? { originsAdded: added } : {}),
            ...(removed.length ? { originsRemoved: removed } : {}),
          },
        },
        tx,
      );
      return row;
    });
    return { tenantId, ...fieldsOf(row), updatedAt: row.updatedAt.toISOString() };
  }
}
