/**
 * The restore's S3 source (src/restore/s3-source.ts): an s3-uri and the settings beside it, as the restore action
 * and the CLI give them, to the object and how to reach it; one-line ConfigurationErrors for what cannot be restored.
 */
import { ConfigurationError } from '../../../src/errors.js'
import { parseS3Source, type S3SourceInputs } from '../../../src/restore/s3-source.js'

const refused = (inputs: S3SourceInputs, ...names: [string?, string?]): string => {
  try {
    parseS3Source(inputs, ...names)
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(ConfigurationError)
    const message = (e as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error(`accepted ${JSON.stringify(inputs)}`)
}

test('an empty uri is no S3 source, and then no version or endpoint may be set', () => {
  expect(parseS3Source({ uri: '' })).toBeUndefined()
  expect(parseS3Source({ uri: '  ', endpoint: '', region: '', forcePathStyle: '', versionId: '' })).toBeUndefined()
  expect(refused({ uri: '', versionId: 'v1' })).toBe(
    's3-version-id is set but s3-uri is empty: set s3-uri or remove it'
  )
  expect(refused({ uri: '', endpoint: 'http://127.0.0.1:9000' })).toMatch(/^s3-endpoint is set but s3-uri is empty/)
})

test('reads the object, the endpoint, region and path style as the backup action does, and a version', () => {
  expect(parseS3Source({ uri: 's3://backups/etcd/n1/n1.db.zst.age' })).toEqual({
    uri: 's3://backups/etcd/n1/n1.db.zst.age',
    access: { forcePathStyle: false }
  })
  expect(
    parseS3Source({
      uri: ' s3://backups/n1.db.zst.age ',
      endpoint: 'https://minio.example.net:9000/',
      versionId: ' 3HL4kqtJlcpXroDTDmjVBH40Nrjfkd '
    })
  ).toEqual({
    uri: 's3://backups/n1.db.zst.age',
    access: { endpoint: 'https://minio.example.net:9000', region: 'us-east-1', forcePathStyle: true },
    versionId: '3HL4kqtJlcpXroDTDmjVBH40Nrjfkd'
  })
  expect(
    parseS3Source({ uri: 's3://backups/x/n1.db', region: 'eu-central-1', forcePathStyle: 'true' })?.access
  ).toEqual({ region: 'eu-central-1', forcePathStyle: true })
})

test('refuses a prefix, the manifest, a bad URI and a version that is not one, naming the input', () => {
  expect(refused({ uri: 's3://backups/etcd/n1/' })).toMatch(
    /^s3-uri must name the backup file's object .*, not a prefix$/
  )
  expect(refused({ uri: 's3://backups' })).toMatch(/not a prefix$/)
  expect(refused({ uri: 's3://backups/etcd/n1/manifest.json' })).toMatch(/, not its manifest$/)
  expect(refused({ uri: 'https://backups/n1.db' })).toMatch(/^s3-uri "https:\/\/backups\/n1\.db" is not an S3 URI/)
  expect(refused({ uri: 's3://backups/n1.db', versionId: 'two words' })).toMatch(/^s3-version-id must be a version ID/)
  expect(refused({ uri: 's3://backups/../n1.db' }, 'the S3 URI')).toMatch(/^the S3 URI .*"\." or "\.\." segment/)
  expect(refused({ uri: 's3://bkt/n1.db', versionId: 'a\nb' }, 'the S3 URI', '--s3-version-id')).toMatch(
    /^--s3-version-id must be/
  )
})
