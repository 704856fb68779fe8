import { join } from 'node:path';
import type { Config } from '../../config.ts';
import type { FileStore } from './file-store.ts';
import { localFileStore } from './local-file-store.ts';
import { s3FileStore } from './s3-file-store.ts';

/** The one place the store of uploaded files is chosen: the S3 bucket of the S3_* settings, else a folder under PAMS_DATA_DIR (files/). */
export const fileStoreFor = (config: Pick<Config, 'dataDir' | 's3'>): FileStore => (config.s3 ? s3FileStore(config.s3) : localFileStore(join(config.dataDir, 'files')));
