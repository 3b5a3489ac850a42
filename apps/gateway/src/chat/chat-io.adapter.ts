import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';
import type { WidgetOriginsService } from '../widget/widget-origins.service';

/**
 * socket.io with the same CORS rule as the visitor routes (it matters for the HTTP long-polling
 * transport; WebSockets have no CORS). Each connection is then checked against its own session
 * token's origin and key in the /chat namespace's handshake middleware, which refuses with an ErrorCode.
 */
export class ChatIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly origins: WidgetOriginsService,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    return super.createIOServer(port, {
      ...options,
      cors: {
        origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) => {
          if (!origin) return callback(null, false);
          this.origins.isKnown(origin).then((known) => callback(null, known), callback);
        },
        methods: ['GET', 'POST'],
      },
    } as ServerOptions);
  }
}
