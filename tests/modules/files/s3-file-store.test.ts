import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../server/config-error.ts';
import { FileMissingError } from '../../../server/modules/files/file-store.ts';
import { s3StoreOptions } from '../../../server/modules/files/s3-config.ts';
import { s3FileStore } from '../../../server/modules/files/s3-file-store.ts';
import { startS3Server } from '../../s3-server.ts';
import { describeFileStoreContract } from './file-store-contract.ts';

describeFileStoreContract('S3 (s3rver)', async () => {
  const s3 = await startS3Server();
  const store = s3FileStore(s3.storeOptions());
  return {
    store,
    close: async () => {
      store.close();
      await s3.close();
    },
  };
});

describeFileStoreContract('S3 (s3rver) under a key prefix', async () => {
  const s3 = await startS3Server();
  const store = s3FileStore(s3.storeOptions('pams/'));
  return {
    store,
    close: async () => {
      store.close();
      await s3.close();
    },
  };
});

describe('S3 file store', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(() => s3.close());

  const text = (s: string) => Readable.from([Buffer.from(s)]);
  const keys = async (store: ReturnType<typeof s3FileStore>) => {
    const listed: string[] = [];
    for await (const { key } of store.list()) listed.push(key);
    return listed.sort();
  };
  const read = async (body: Readable) => {
    let s = '';
    for await (const chunk of body) s += chunk;
    return s;
  };

  it('keeps to its prefix: puts under it, lists only what is under it, without the prefix', async () => {
    const bare = s3FileStore(s3.storeOptions());
    const a = s3FileStore(s3.storeOptions('practice-a/'));
    const b = s3FileStore(s3.storeOptions('practice-b/'));
    try {
      await a.put('one', text('a1'));
      await a.put('two.preview', text('a2'));
      await b.put('one', text('b1'));
      expect(await keys(a)).toEqual(['one', 'two.preview']);
      expect(await keys(b)).toEqual(['one']);
      expect(await keys(bare)).toEqual(['practice-a/one', 'practice-a/two.preview', 'practice-b/one']);
      expect(await read(await b.get('one'))).toBe('b1');
      await expect(bare.get('one')).rejects.toBeInstanceOf(FileMissingError);
      await a.delete('one');
      expect(await keys(bare)).toEqual(['practice-a/two.preview', 'practice-b/one']);
    } finally {
      for (const store of [bare, a, b]) store.close();
    }
  });

  it('lists past one page of ListObjectsV2 (1,000 keys)', async () => {
    const store = s3FileStore(s3.storeOptions('paging/'));
    try {
      const all = Array.from({ length: 1005 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      for (let i = 0; i < all.length; i += 25) await Promise.all(all.slice(i, i + 25).map((key) => store.put(key, text(key))));
      expect(await keys(store)).toEqual(all);
    } finally {
      store.close();
    }
  });
});

describe('S3 settings', () => {
  it('leave S3 off without S3_BUCKET', () => {
    expect(s3StoreOptions({})).toBeNull();
    expect(s3StoreOptions({ S3_BUCKET: '', PATH: '/usr/bin' })).toBeNull();
  });

  it('for AWS: the region, the default credential chain, virtual-hosted style, no prefix', () => {
    expect(s3StoreOptions({ S3_BUCKET: 'pams-files', S3_REGION: 'eu-west-1' })).toEqual({
      bucket: 'pams-files',
      endpoint: undefined,
      region: 'eu-west-1',
      credentials: undefined,
      forcePathStyle: false,
      prefix: '',
    });
    expect(s3StoreOptions({ S3_BUCKET: 'pams-files' })?.region).toBe('us-east-1');
  });

  it('for an S3-compatible endpoint: keys, path style by default (unless turned off), the prefix as a folder', () => {
    const env = { S3_BUCKET: 'pams', S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret', S3_PREFIX: '/files/pams' };
    expect(s3StoreOptions(env)).toEqual({
      bucket: 'pams',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      forcePathStyle: true,
      prefix: 'files/pams/',
    });
    expect(s3StoreOptions({ ...env, S3_FORCE_PATH_STYLE: 'false' })?.forcePathStyle).toBe(false);
    expect(s3StoreOptions({ S3_BUCKET: 'pams', S3_FORCE_PATH_STYLE: '1' })?.forcePathStyle).toBe(true);
    expect(s3StoreOptions({ S3_BUCKET: 'pams', S3_PREFIX: 'pams/' })?.prefix).toBe('pams/');
  });

  const problemsOf = (env: Record<string, string>) => {
    try {
      s3StoreOptions(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('name each half-set or bad setting', () => {
    expect(problemsOf({ S3_BUCKET: 'pams', S3_ACCESS_KEY_ID: 'id' })).toEqual(['S3_SECRET_ACCESS_KEY: required with S3_ACCESS_KEY_ID']);
    expect(problemsOf({ S3_BUCKET: 'pams', S3_SECRET_ACCESS_KEY: 'secret' })).toEqual(['S3_ACCESS_KEY_ID: required with S3_SECRET_ACCESS_KEY']);
    expect(problemsOf({ S3_ENDPOINT: 'http://minio:9000', S3_PREFIX: 'pams' })).toEqual(['S3_BUCKET: required with S3_ENDPOINT, S3_PREFIX (S3 storage is on only when a bucket is named)']);
    expect(problemsOf({ S3_BUCKET: 'pams', S3_ENDPOINT: 'minio:9000' })).toEqual([expect.stringMatching(/^S3_ENDPOINT: /)]);
    expect(problemsOf({ S3_BUCKET: 'pams', S3_ENDPOINT: 'ftp://minio' })).toEqual([expect.stringMatching(/^S3_ENDPOINT: /)]);
    expect(problemsOf({ S3_BUCKET: 'my bucket', S3_FORCE_PATH_STYLE: 'yes' }).map((p) => p.split(':')[0])).toEqual(['S3_BUCKET', 'S3_FORCE_PATH_STYLE']);
  });
});
