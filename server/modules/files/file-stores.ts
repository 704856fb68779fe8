import { join } from 'node:path';
import type { Config } from '../../config.ts';
import type { FileStore } from './file-store.ts';
import { localFileStore } from './local-file-store.ts';

/** The one place the store of uploaded files is chosen: a folder under PAMS_DATA_DIR (files/). */
export const fileStoreFor = (config: Pick<Config, 'dataDir'>): FileStore => localFileStore(join(config.dataDir, 'files'));
