// The CLI here only generates the client; migrations are applied by src/migrate.ts (see TOOLCHAIN.md).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: './prisma/schema.prisma',
  migrations: { path: './prisma/migrations' },
});
