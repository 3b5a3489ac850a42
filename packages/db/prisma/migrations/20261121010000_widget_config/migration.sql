-- How a tenant's chat widget looks and behaves. No row means every default. allowed_origins is a
-- tenant-wide list every publishable key of the tenant accepts in addition to the key's own list.
CREATE TABLE "widget_configs" (
    "tenant_id" UUID NOT NULL,
    "title" TEXT,
    "greeting" TEXT,
    "primary_color" TEXT NOT NULL DEFAULT '#4f46e5',
    "position" TEXT NOT NULL DEFAULT 'bottom-right',
    "theme" TEXT NOT NULL DEFAULT 'auto',
    "logo_url" TEXT,
    "launcher_icon" TEXT NOT NULL DEFAULT 'chat',
    "locale" TEXT NOT NULL DEFAULT 'auto',
    "send_on" TEXT NOT NULL DEFAULT 'enter',
    "allowed_origins" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "widget_configs_pkey" PRIMARY KEY ("tenant_id"),
    CONSTRAINT "widget_configs_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    -- The values the widget knows; the API validates them too, this keeps hand edits honest.
    CONSTRAINT "widget_configs_primary_color_check" CHECK ("primary_color" ~ '^#([0-9a-f]{3}|[0-9a-f]{6})$'),
    CONSTRAINT "widget_configs_position_check" CHECK ("position" IN ('bottom-right', 'bottom-left')),
    CONSTRAINT "widget_configs_theme_check" CHECK ("theme" IN ('light', 'dark', 'auto')),
    CONSTRAINT "widget_configs_launcher_icon_check" CHECK ("launcher_icon" IN ('chat', 'question', 'sparkles', 'headset', 'logo')),
    CONSTRAINT "widget_configs_locale_check" CHECK ("locale" IN ('auto', 'en', 'es', 'fr', 'de', 'he', 'ar')),
    CONSTRAINT "widget_configs_send_on_check" CHECK ("send_on" IN ('enter', 'mod-enter'))
);
