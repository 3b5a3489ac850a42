import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { Observable } from 'rxjs';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { formatBytes } from './sources.service';

/** The multipart field that carries the files. */
export const FILES_FIELD = 'files';

/**
 * Reads `multipart/form-data` into memory with multer, within the size and count limits, and turns
 * multer's refusals into our error codes (413 PAYLOAD_TOO_LARGE naming the file and the limit).
 * Runs after the guard: nobody streams a file in without being allowed to upload.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  private readonly upload;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.maxFileBytes = config.KNOWLEDGE_MAX_FILE_BYTES;
    this.maxFiles = config.KNOWLEDGE_MAX_FILES;
    this.upload = multer({
      storage: multer.memoryStorage(),
      defParamCharset: 'utf8',
      limits: { fileSize: this.maxFileBytes, files: this.maxFiles, fields: 10, fieldSize: 1024, parts: this.maxFiles + 10 },
    }).array(FILES_FIELD, this.maxFiles);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    if (!request.is('multipart/form-data')) {
      throw new AppError(ErrorCode.UnsupportedMediaType, `Send the files as multipart/form-data, in the "${FILES_FIELD}" field`);
    }
    await new Promise<void>((resolve, reject) => {
      this.upload(request, response, (error: unknown) => (error ? reject(this.refusal(error)) : resolve()));
    });
    return next.handle();
  }

  private refusal(error: unknown): AppError {
    if (!(error instanceof MulterError)) return new AppError(ErrorCode.BadRequest, `The upload could not be read: ${(error as Error).message}`);
    // multer ≥ 2.1 names the file in its errors; its type declarations do not say so yet.
    const filename = (error as MulterError & { filename?: string }).filename;
    const name = filename ? `"${filename}"` : 'A file';
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new AppError(ErrorCode.PayloadTooLarge, `${name} is larger than the ${formatBytes(this.maxFileBytes)} limit per file; nothing was stored`, { limitBytes: this.maxFileBytes });
      case 'LIMIT_FILE_COUNT':
        return new AppError(ErrorCode.ValidationFailed, `At most ${this.maxFiles} files per upload`);
      case 'LIMIT_UNEXPECTED_FILE':
        return new AppError(ErrorCode.ValidationFailed, `Files go in the "${FILES_FIELD}" field, not "${error.field ?? ''}"`);
      default:
        return new AppError(ErrorCode.ValidationFailed, `The upload was refused: ${error.message}`);
    }
  }
}
