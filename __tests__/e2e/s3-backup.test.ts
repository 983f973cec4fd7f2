/**
 * The backup action's offsite copy against real parts: a TLS etcd member, the bundled-from-source action, and a real
 * MinIO (harness/s3-server.ts) with versioning and Object Lock. The copy is made only after every check passed,
 * carries Object Lock retention when asked, and each failure is one line that leaves no object and no unfinished
 * multipart upload in the bucket.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  S3Client
} from '@aws-sdk/client-s3'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { actionDefaults, runAction, runStep } from '../harness/action-runner.js'
import { startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { startS3Server, type S3Server } from '../harness/s3-server.js'
import { SecretScan } from '../harness/secrets.js'
import { seedKubernetes } from '../harness/seed.js'

let dir: string
let pki: Pki
let member: EtcdMember
let s3: S3Server
let sdk: S3Client
let recipient: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3-backup-test-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 300, seed: 11 })
  s3 = await startS3Server()
  sdk = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
  })
  const identity = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim()
}, 1_800_000)

afterAll(async () => {
  sdk?.destroy()
  await s3?.stop()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

async function bucket(name: string, lock: boolean): Promise<string> {
  await sdk.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: lock }))
  return name
}

/** Every version of every object, and every unfinished multipart upload, under the prefix. */
async function leftIn(b: string, prefix: string): Promise<{ versions: string[]; uploads: string[] }> {
  const v = await sdk.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: prefix }))
  const versions = [...(v.Versions ?? []), ...(v.DeleteMarkers ?? [])].map(x => x.Key ?? '')
  // MinIO lists the unfinished uploads of one exact key, so ask for each name the backup would use.
  const uploads: string[] = []
  for (const key of [`${prefix}${prefix.split('/').at(-2)}.db.zst.age`, `${prefix}manifest.json`]) {
    const u = await sdk.send(new ListMultipartUploadsCommand({ Bucket: b, Prefix: key }))
    uploads.push(...(u.Uploads ?? []).map(x => x.Key ?? ''))
  }
  return { versions, uploads }
}

function backup(name: string, inputs: Record<string, string>, env: Record<string, string> = {}) {
  const outputDir = mkdtempSync(join(dir, 'out-'))
  return runAction({
    inputs: {
      endpoints: member.clientUrl,
      cacert: pki.caCert,
      cert: pki.clientCert,
      key: pki.clientKey,
      recipients: recipient,
      upload: 'false',
      'output-dir': outputDir,
      'artifact-name': name,
      's3-endpoint': s3.endpoint,
      ...inputs
    },
    env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, ...env }
  }).then(r => ({ ...r, outputDir }))
}

describe('the backup action with s3-uri', () => {
  it('copies the verified backup and its manifest with Object Lock retention that a delete cannot break', async () => {
    const b = await bucket('locked-backups', true)
    const { main, post } = await backup('nightly-1', {
      's3-uri': `s3://${b}/etcd/prod/`,
      's3-object-lock-mode': 'GOVERNANCE',
      's3-object-lock-days': '1'
    })
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(post.code).toBe(0)
    expect(main.outputs['s3-uri']).toBe(`s3://${b}/etcd/prod/nightly-1/nightly-1.db.zst.age`)
    const versionId = main.outputs['s3-version-id'] as string
    expect(versionId).toMatch(/\S/)

    const key = 'etcd/prod/nightly-1/nightly-1.db.zst.age'
    const local = readFileSync(main.outputs['snapshot-file'] as string)
    const object = await sdk.send(new GetObjectCommand({ Bucket: b, Key: key, VersionId: versionId }))
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(local)).toBe(true)
    const manifest = await sdk.send(new GetObjectCommand({ Bucket: b, Key: 'etcd/prod/nightly-1/manifest.json' }))
    const stored = JSON.parse(await manifest.Body!.transformToString()) as { file: { sha256: string } }
    expect(stored.file.sha256).toBe(main.outputs['file-sha256'])

    const retention = await sdk.send(new GetObjectRetentionCommand({ Bucket: b, Key: key, VersionId: versionId }))
    expect(retention.Retention?.Mode).toBe('GOVERNANCE')
    const until = retention.Retention?.RetainUntilDate?.getTime() ?? 0
    expect(Math.abs(until - (Date.now() + 86_400_000))).toBeLessThan(600_000)
    await expect(sdk.send(new DeleteObjectCommand({ Bucket: b, Key: key, VersionId: versionId }))).rejects.toThrow()
    expect((await leftIn(b, 'etcd/prod/nightly-1/')).uploads).toEqual([])

    // The AWS secret was masked, and no log line carries it.
    expect(main.log).toContain(`::add-mask::${s3.secretAccessKey}`)
    new SecretScan().add('AWS secret access key', s3.secretAccessKey).expectClean({ runs: { main, post }, trees: [] })
  })

  it('uploads nothing when the gate refuses the snapshot', async () => {
    const b = await bucket('gate-refuses', true)
    const { main } = await backup('refused', { 's3-uri': `s3://${b}/x/`, 'min-keys': '100000000' })
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(/fewer than min-keys 100000000/)
    expect(await leftIn(b, 'x/refused/')).toEqual({ versions: [], uploads: [] })
  })

  it.each([
    [
      'wrong credentials',
      async () => bucket('wrong-creds', false),
      {},
      { AWS_SECRET_ACCESS_KEY: 'not-the-secret-key-0123456789' },
      /^upload (?:\(checking the bucket\) )?of s3:\/\/wrong-creds\/p\/c\/c\.db\.zst\.age failed: the credentials were refused .*; check AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY/
    ],
    [
      'a missing bucket',
      async () => 'no-such-bucket',
      {},
      {},
      /^upload (?:\(checking the bucket\) )?of s3:\/\/no-such-bucket\/p\/c\/c\.db\.zst\.age failed: bucket no-such-bucket does not exist at http:\/\/127\.0\.0\.1:\d+/
    ],
    [
      'a lock asked of a bucket without Object Lock',
      async () => bucket('no-lock', false),
      { 's3-object-lock-mode': 'COMPLIANCE', 's3-object-lock-days': '30' },
      {},
      /Object Lock/
    ]
  ])(
    'fails in one line for %s before the snapshot is taken, leaving nothing behind',
    async (_what, make, inputs, env, message) => {
      const b = await make()
      const { main, post, outputDir } = await backup('c', { 's3-uri': `s3://${b}/p/`, ...inputs }, env)
      expect(main.code).not.toBe(0)
      expect(main.error).toMatch(message)
      expect(main.error).not.toContain('\n')
      // Checked before anything was taken: no save, no backup folder.
      expect(main.log).not.toContain('Take the snapshot')
      expect(existsSync(join(outputDir, 'c'))).toBe(false)
      expect(post.code).toBe(0)
      if (b !== 'no-such-bucket') expect(await leftIn(b, 'p/c/')).toEqual({ versions: [], uploads: [] })
    }
  )

  it('refuses s3 inputs without s3-uri before taking anything', async () => {
    const { main, outputDir } = await backup('stray', { 's3-object-lock-mode': 'GOVERNANCE' })
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(
      /^s3-endpoint is set but s3-uri is empty|^s3-object-lock-mode is set but s3-uri is empty/
    )
    expect(existsSync(join(outputDir, 'stray'))).toBe(false)
  })

  it('post aborts an upload main left unfinished (main died, or the store was gone when it tried)', async () => {
    const b = await bucket('left-behind', false)
    const key = 'p/left/left.db.zst.age'
    const started = await sdk.send(new CreateMultipartUploadCommand({ Bucket: b, Key: key }))
    await sdk.send(
      new UploadPartCommand({
        Bucket: b,
        Key: key,
        UploadId: started.UploadId,
        PartNumber: 1,
        Body: Buffer.alloc(1024)
      })
    )
    expect((await leftIn(b, 'p/left/')).uploads).toEqual([key])
    const post = await runStep(
      'post',
      {
        inputs: { ...actionDefaults(), 's3-uri': `s3://${b}/p/`, 's3-endpoint': s3.endpoint },
        env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey }
      },
      { 's3-upload': key }
    )
    expect(post.code).toBe(0)
    expect(post.log).toContain(`aborted 1 unfinished upload(s) of s3://${b}/${key}`)
    expect(await leftIn(b, 'p/left/')).toEqual({ versions: [], uploads: [] })
  })
})
