import S3rver from 's3rver';

/**
 * s3rver in a process of its own (started by tests/s3-server.ts): it needs Node's OpenSSL legacy provider for
 * the DES it encrypts ListObjectsV2 continuation tokens with, which a test worker does not load.
 * Prints its port; ends when its parent closes stdin or dies.
 */
const [directory, bucket] = process.argv.slice(2) as [string, string];
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`s3rver listening on ${port}\n`);
process.stdin.resume().on('close', () => process.exit(0));
