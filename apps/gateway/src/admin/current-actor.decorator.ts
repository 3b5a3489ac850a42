import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { actorFromPrincipal, type Actor } from './actor';

/** The signed-in operator as an `Actor`; only on routes behind AdminAuthGuard. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const principal = context.switchToHttp().getRequest<Request>().adminPrincipal;
  if (!principal) throw new AppError(ErrorCode.Unauthenticated, 'Sign in first: POST /api/v1/admin/auth/login');
  return actorFromPrincipal(principal);
});
