import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ZLoginRequest, type TAdminUser, type TLoginResponse } from '@babble-buddy/shared';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { AdminSessionsService } from '../auth/admin-sessions.service';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { AdminUsersService } from './admin-users.service';
import { CurrentActor } from './current-actor.decorator';
import { LoginService } from './login.service';

@Controller('api/v1/admin/auth')
export class AdminAuthController {
  constructor(
    private readonly users: AdminUsersService,
    private readonly logins: LoginService,
    private readonly sessions: AdminSessionsService,
  ) {}

  /** Public: e-mail and password in, a bearer token for the admin API out. */
  @Post('login')
  @HttpCode(200)
  login(@Body() body: unknown, @Req() request: Request): Promise<TLoginResponse> {
    const { email, password } = parseWith(ZLoginRequest, body);
    return this.logins.login(email, password, request.ip);
  }

  /** Signs this token out: it is refused from now on, until it would have expired. */
  @Post('logout')
  @UseGuards(AdminAuthGuard)
  @HttpCode(204)
  async logout(@Req() request: Request): Promise<void> {
    const session = request.adminSession;
    if (session) await this.sessions.revoke(session.token, session.expiresAt);
  }

  @Get('me')
  @UseGuards(AdminAuthGuard)
  me(@CurrentActor() actor: Actor): Promise<TAdminUser> {
    return this.users.get(actor.userId ?? '');
  }
}
