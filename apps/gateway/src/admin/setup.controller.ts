import { Body, Controller, Get, Post } from '@nestjs/common';
import { ZSetupRequest, type TLoginResponse, type TSetupStatus } from '@babble-buddy/shared';
import { parseWith } from '../common/validation';
import { SetupService } from './setup.service';

/** Public on purpose: used before any account exists; refuses once one does. */
@Controller('api/v1/admin/setup')
export class SetupController {
  constructor(private readonly setup: SetupService) {}

  @Get()
  status(): Promise<TSetupStatus> {
    return this.setup.status();
  }

  @Post()
  create(@Body() body: unknown): Promise<TLoginResponse> {
    return this.setup.createFirstOwner(parseWith(ZSetupRequest, body));
  }
}
