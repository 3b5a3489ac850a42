/** Prisma's code for a unique constraint violation (raised by the driver adapter too). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
