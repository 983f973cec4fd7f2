/**
 * The offsite copy's settings parser (src/s3/settings.ts): plain input strings to S3Settings, and one-line
 * ConfigurationErrors naming the input and the fix for what S3 would refuse or misread.
 */
import { ConfigurationError } from '../../../src/errors.js'
import { backupKey, manifestUri, parseS3Settings, parseS3Uri, type S3Inputs } from '../../../src/s3/settings.js'

const refused = (inputs: S3Inputs): string => {
  try {
    parseS3Settings(inputs)
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(ConfigurationError)
    const message = (e as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error(`accepted ${JSON.stringify(inputs)}`)
}

test('an empty s3-uri turns the copy off, and then no other s3 input may be set', () => {
  expect(parseS3Settings({})).toBeUndefined()
  expect(parseS3Settings({ uri: '  ', forcePathStyle: 'false' })).toBeUndefined()
  expect(refused({ endpoint: 'https://minio.example:9000' })).toBe(
    's3-endpoint is set but s3-uri is empty: set s3-uri or remove it'
  )
  expect(refused({ objectLockMode: 'GOVERNANCE' })).toContain('s3-object-lock-mode is set but s3-uri is empty')
})

test('AWS: bucket and prefix from the URI, region from the environment, virtual-hosted addressing', () => {
  expect(parseS3Settings({ uri: 's3://my-backups/etcd/prod' })).toEqual({
    bucket: 'my-backups',
    prefix: 'etcd/prod/',
    forcePathStyle: false
  })
  expect(parseS3Settings({ uri: 's3://my-backups' })).toMatchObject({ bucket: 'my-backups', prefix: '' })
  expect(parseS3Settings({ uri: 's3://my-backups/' })).toMatchObject({ prefix: '' })
})

test('an S3-compatible endpoint: its origin, path-style addressing and us-east-1 unless told otherwise', () => {
  expect(
    parseS3Settings({
      uri: 's3://offsite/a/',
      endpoint: 'https://minio.internal:9000/',
      objectLockMode: 'compliance',
      objectLockDays: '30',
      storageClass: 'STANDARD_IA'
    })
  ).toEqual({
    bucket: 'offsite',
    prefix: 'a/',
    endpoint: 'https://minio.internal:9000',
    region: 'us-east-1',
    forcePathStyle: true,
    objectLock: { mode: 'COMPLIANCE', days: 30 },
    storageClass: 'STANDARD_IA'
  })
  expect(
    parseS3Settings({
      uri: 's3://offsite',
      endpoint: 'https://x.r2.cloudflarestorage.com',
      region: 'auto',
      forcePathStyle: 'false'
    })
  ).toMatchObject({ region: 'auto', forcePathStyle: false })
})

test.each([
  ['s3:/bucket/x', 'is not an S3 URI: write it as s3://bucket/prefix/'],
  ['https://bucket/x', 'is not an S3 URI'],
  ['s3:///prefix', 's3-uri has no bucket'],
  ['s3://ab', 'not 3 to 63 characters long'],
  ['s3://My-Bucket', 'lower-case letters'],
  ['s3://bucket-', 'starting and ending alphanumeric'],
  ['s3://my..bucket', 'two dots in a row'],
  ['s3://192.168.1.10', 'formed like an IP address'],
  ['s3://xn--bucket', 'prefix or suffix AWS reserves'],
  ['s3://bucket/a/../b', 'has a "." or ".." segment in its key'],
  ['s3://bucket/..', 'has a "." or ".." segment in its key'],
  ['s3://bucket/a/./b', 'has a "." or ".." segment in its key'],
  ['s3://bucket/a//b', 'has an empty segment (//) in its key'],
  ['s3://bucket/a\nb', 'has a control character in its key'],
  ['s3://bucket/a?b=1', 'has ?, # or \\ in its key']
])('s3-uri %j is refused: %s', (uri, why) => {
  const message = refused({ uri })
  expect(message).toContain('s3-uri')
  expect(message).toContain(why)
})

test.each([
  [{ endpoint: 'minio:9000' }, 's3-endpoint must start with https:// (or http://), not minio://'],
  [{ endpoint: 'https://' }, 's3-endpoint is not a URL'],
  [{ endpoint: 'ftp://minio:9000' }, 's3-endpoint must start with https://'],
  [{ endpoint: 'https://minio:9000/bucket' }, 'put the bucket and prefix in s3-uri'],
  [{ region: 'EU West' }, 's3-region "EU West" is not a region name'],
  [{ forcePathStyle: 'yes' }, 's3-force-path-style must be true or false, got "yes"'],
  [{ objectLockMode: 'LEGAL' }, 's3-object-lock-mode must be GOVERNANCE or COMPLIANCE, got "LEGAL"'],
  [{ objectLockMode: 'GOVERNANCE' }, 's3-object-lock-mode is set without s3-object-lock-days'],
  [{ objectLockDays: '7' }, 's3-object-lock-days is set without s3-object-lock-mode'],
  [{ objectLockMode: 'GOVERNANCE', objectLockDays: '0' }, 's3-object-lock-days must be a whole number from 1'],
  [{ objectLockMode: 'GOVERNANCE', objectLockDays: '1.5' }, 's3-object-lock-days must be a whole number from 1'],
  [{ objectLockMode: 'GOVERNANCE', objectLockDays: '36501' }, 'from 1 to 36500'],
  [{ storageClass: 'glacier' }, 's3-storage-class "glacier" is not a storage class']
] as [S3Inputs, string][])('%j is refused: %s', (inputs, why) => {
  expect(refused({ uri: 's3://bucket/x', ...inputs })).toContain(why)
})

test('an endpoint with credentials in it is refused without echoing them', () => {
  const message = refused({ uri: 's3://bucket', endpoint: 'https://AKIAEXAMPLE:s3cr3t@minio:9000' })
  expect(message).toContain('s3-endpoint must not hold credentials')
  expect(message).not.toContain('s3cr3t')
  expect(message).not.toContain('AKIAEXAMPLE')
})

test('keys: <prefix><artifact-name>/<file>, the manifest beside the backup, and no segment that escapes', () => {
  const settings = { prefix: 'etcd/prod/' }
  expect(backupKey(settings, 'etcd-backup-42', 'snap.db.zst.age')).toBe('etcd/prod/etcd-backup-42/snap.db.zst.age')
  expect(backupKey({ prefix: '' }, 'run', 'manifest.json')).toBe('run/manifest.json')
  expect(manifestUri('s3://b-1/etcd/prod/run/snap.db.zst.age')).toBe('s3://b-1/etcd/prod/run/manifest.json')
  expect(() => backupKey(settings, '..', 'x')).toThrow(ConfigurationError)
  expect(() => backupKey(settings, 'a/b', 'x')).toThrow('cannot be one segment of an S3 key')
  expect(() => backupKey(settings, 'run', '')).toThrow(ConfigurationError)
  expect(parseS3Uri('s3://bucket/a/b.age')).toEqual({ bucket: 'bucket', key: 'a/b.age' })
})
