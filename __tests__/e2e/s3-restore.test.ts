/**
 * Restore from the offsite copy, against real parts: a seeded TLS etcd member is backed up by the backup action to a
 * real MinIO bucket with Object Lock (harness/s3-server.ts), then restored from its s3:// URI by the restore action
 * and by `etcd-snapshot restore`, and etcd booted on each restored data dir serves every key the source had. A
 * missing object, refused credentials and an object whose bytes are not the ones its manifest recorded each fail in
 * one line and leave nothing in the output dir, the data dir or the runner's temp dir.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../src/cli/index.js'
import { ROOT, runAction, runStep, type ActionRun } from '../harness/action-runner.js'
import { startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { expectDataDirServes } from '../harness/restored.js'
import { startS3Server, type S3Server } from '../harness/s3-server.js'
import { readAll, seedKubernetes } from '../harness/seed.js'

const RESTORE_YML = join(ROOT, 'restore', 'action.yml')
const BUCKET = 'offsite'

let dir: string
let pki: Pki
let member: EtcdMember
let s3: S3Server
let sdk: S3Client
let keyFile: string
let identity: string
let live: Map<string, Buffer>
let one: ActionRun
let two: ActionRun

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3-restore-test-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 300, seed: 31 })
  s3 = await startS3Server()
  sdk = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
  })
  await sdk.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }))
  keyFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  identity = readFileSync(keyFile, 'utf8')
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim()
  const backup = (name: string) =>
    runAction({
      inputs: {
        endpoints: member.clientUrl,
        cacert: pki.caCert,
        cert: pki.clientCert,
        key: pki.clientKey,
        recipients: recipient,
        upload: 'false',
        'output-dir': mkdtempSync(join(dir, 'backup-')),
        'artifact-name': name,
        's3-uri': `s3://${BUCKET}/etcd/`,
        's3-endpoint': s3.endpoint
      },
      env: awsEnv()
    })
  for (const [name, set] of [
    ['rt-one', (r: ActionRun) => (one = r)],
    ['rt-two', (r: ActionRun) => (two = r)]
  ] as const) {
    const { main } = await backup(name)
    if (main.code !== 0) throw new Error(`backup ${name} failed: ${main.error}\n${main.log}`)
    set(main)
  }
  live = await readAll(member)
}, 1_800_000)

afterAll(async () => {
  sdk?.destroy()
  await s3?.stop()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

function awsEnv(secret?: string): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: secret ?? s3.secretAccessKey }
}

async function getObject(key: string): Promise<Buffer> {
  const res = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return Buffer.from(await res.Body!.transformToByteArray())
}

/** Stores `body` under `key` with the SHA-256 the store keeps, as the backup action uploads. */
async function putObject(key: string, body: Buffer): Promise<void> {
  await sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ChecksumAlgorithm: 'SHA256' }))
}

/**
 * rt-two's backup file under rt-one's name, beside rt-one's manifest: a sound backup of the same cluster, stored with
 * a matching SHA-256, that is not the file the manifest describes.
 */
async function swappedObject(prefix: string): Promise<string> {
  const key = `${prefix}/rt-one/rt-one.db.zst.age`
  await putObject(key, await getObject('etcd/rt-two/rt-two.db.zst.age'))
  await putObject(`${prefix}/rt-one/manifest.json`, await getObject('etcd/rt-one/manifest.json'))
  return `s3://${BUCKET}/${key}`
}

function restoreStep(inputs: Record<string, string>, env: Record<string, string>, runnerTemp: string) {
  return runStep('restore', { inputs, env, runnerTemp, actionYml: RESTORE_YML })
}
function postStep(main: ActionRun, env: Record<string, string>, runnerTemp: string) {
  return runStep('restore-post', { env, runnerTemp, actionYml: RESTORE_YML }, main.state)
}

interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** The CLI in this process, with the store's credentials in the environment as an operator would export them. */
async function cli(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const saved = { ...process.env }
  Object.assign(process.env, env)
  let stdout = ''
  let stderr = ''
  try {
    const code = await run(args, {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) }
    })
    return { code, stdout, stderr }
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

describe('the restore action with s3-uri', () => {
  it('restores the backup action s3 copy (pinned to its version) into a data dir that serves every key', async () => {
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const dataDir = join(dir, 'restored-action', 'data')
    const uri = one.outputs['s3-uri'] as string
    expect(uri).toBe(`s3://${BUCKET}/etcd/rt-one/rt-one.db.zst.age`)
    const env = awsEnv()
    const main = await restoreStep(
      {
        's3-uri': uri,
        's3-endpoint': s3.endpoint,
        's3-version-id': one.outputs['s3-version-id'] as string,
        identity,
        'output-dir': outputDir,
        'data-dir': dataDir
      },
      env,
      runnerTemp
    )
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(main.outputs['revision']).toBe(one.outputs['revision'])
    expect(main.outputs['snapshot-sha256']).toBe(one.outputs['snapshot-sha256'])
    expect(main.outputs['data-dir']).toBe(dataDir)
    expect(main.log).toContain(`downloaded ${uri} (version ${one.outputs['s3-version-id']})`)
    expect(main.log).toContain(
      `sha256 ${one.outputs['file-sha256']} (matches the store's checksum), and its manifest.json`
    )
    expect(main.log).not.toContain('::warning::manifest.json')
    // The AWS secret was masked before anything ran.
    expect(main.log).toContain(`::add-mask::${s3.secretAccessKey}`)

    const post = await postStep(main, env, runnerTemp)
    expect(post.code).toBe(0)
    expect(readdirSync(outputDir)).toEqual([])
    expect(existsSync(main.state['restore-private-dir']!)).toBe(false)
    await expectDataDirServes(dataDir, live, pki)
  })

  it.each([
    [
      'a missing object (NoSuchKey)',
      async () => `s3://${BUCKET}/etcd/nope/nope.db.zst.age`,
      {},
      new RegExp(
        `^download of s3://${BUCKET}/etcd/nope/nope\\.db\\.zst\\.age failed: no such object \\(NoSuchKey, HTTP 404\\); check the URI`
      )
    ],
    [
      'wrong credentials',
      async () => `s3://${BUCKET}/etcd/rt-one/rt-one.db.zst.age`,
      { AWS_SECRET_ACCESS_KEY: 'not-the-secret-key-0123456789' },
      new RegExp(`^download of s3://${BUCKET}/etcd/rt-one/rt-one\\.db\\.zst\\.age failed: the credentials were refused`)
    ],
    [
      'an object whose bytes are not the ones its manifest recorded',
      () => swappedObject('swapped-action'),
      {},
      /^rt-one\.db\.zst\.age has sha256 [0-9a-f]{64} but its manifest says [0-9a-f]{64}: the file changed after the backup; use another backup$/
    ]
  ])('refuses %s in one line, leaving nothing behind', async (_what, uri, envOverride, expected) => {
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const parent = mkdtempSync(join(dir, 'refused-'))
    const dataDir = join(parent, 'data')
    const env = { ...awsEnv(), ...envOverride }
    const main = await restoreStep(
      { 's3-uri': await uri(), 's3-endpoint': s3.endpoint, identity, 'output-dir': outputDir, 'data-dir': dataDir },
      env,
      runnerTemp
    )
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(expected)
    expect(main.error).not.toContain('\n')
    expect(readdirSync(outputDir)).toEqual([])
    expect(readdirSync(parent)).toEqual([])
    const post = await postStep(main, env, runnerTemp)
    expect(post.code).toBe(0)
    // Nothing but the runner's own command files: the download went into the private dir, and that is gone.
    expect(readdirSync(runnerTemp).filter(f => !/^(output|state|summary)-restore(-post)?$/.test(f))).toEqual([])
  })

  it.each([
    [
      { 'artifact-name': 'rt-one', 's3-uri': 's3://offsite/etcd/rt-one/rt-one.db.zst.age' },
      /^set either artifact-name or s3-uri, not both/
    ],
    [{}, /^set artifact-name \(the backup step's artifact-name output\), artifact-id or s3-uri/],
    [{ 's3-uri': 's3://offsite/etcd/rt-one/' }, /^s3-uri must name the backup file's object .*, not a prefix$/],
    [{ 's3-version-id': 'v1' }, /^s3-version-id is set but s3-uri is empty/]
  ])('refuses the inputs %j before making anything', async (inputs, expected) => {
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const main = await restoreStep({ identity, ...inputs }, awsEnv(), runnerTemp)
    expect(main.code).not.toBe(0)
    expect(main.error).toMatch(expected)
    expect(main.state['restore-private-dir']).toBeUndefined()
  })
})

describe('etcd-snapshot with an s3:// backup', () => {
  it('restore: downloads beside the data dir, restores, and removes the download', async () => {
    const parent = mkdtempSync(join(dir, 'cli-'))
    const dataDir = join(parent, 'data')
    const uri = one.outputs['s3-uri'] as string
    const r = await cli(
      awsEnv(),
      'restore',
      uri,
      '--s3-endpoint',
      s3.endpoint,
      '--identity',
      keyFile,
      '--data-dir',
      dataDir
    )
    expect(r.stderr).not.toContain('manifest.json')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`downloaded ${uri}`)
    expect(r.stdout).toContain(
      `sha256 ${one.outputs['file-sha256']} (matches the store's checksum), with its manifest.json`
    )
    expect(r.stdout).toMatch(/^restored into /m)
    expect(readdirSync(parent)).toEqual(['data'])
    await expectDataDirServes(dataDir, live)
  })

  it('restore: refuses an object that is not what its manifest recorded, and leaves nothing', async () => {
    const parent = mkdtempSync(join(dir, 'cli-'))
    const uri = await swappedObject('swapped-cli')
    const r = await cli(
      awsEnv(),
      'restore',
      uri,
      '--s3-endpoint',
      s3.endpoint,
      '--identity',
      keyFile,
      '--data-dir',
      join(parent, 'data')
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /^etcd-snapshot restore: rt-one\.db\.zst\.age has sha256 [0-9a-f]{64} but its manifest says/
    )
    expect(r.stderr.trim()).not.toContain('\n')
    expect(readdirSync(parent)).toEqual([])
  })

  it('decrypt: an object without a manifest beside it is decrypted and verified, with a warning', async () => {
    const key = 'lone/rt-two.db.zst.age'
    await putObject(key, await getObject('etcd/rt-two/rt-two.db.zst.age'))
    const out = mkdtempSync(join(dir, 'decrypt-'))
    const r = await cli(
      awsEnv(),
      'decrypt',
      `s3://${BUCKET}/${key}`,
      '--s3-endpoint',
      s3.endpoint,
      '--identity',
      keyFile,
      '-o',
      join(out, 'x.db')
    )
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/^warning: manifest\.json is not beside it \(s3:\/\/offsite\/lone\/manifest\.json\)/)
    expect(r.stdout).toContain(`valid etcd snapshot: revision ${two.outputs['revision']}`)
    expect(readdirSync(out)).toEqual(['x.db'])
  })

  it.each([
    [['restore', 'F', '--data-dir', 'D', '--s3-region', 'eu-west-1'], /--s3-region applies only to an s3:\/\/ backup/],
    [['decrypt', 's3://offsite/etcd/', '--identity', 'K'], /the S3 URI must name the backup file's object/],
    [
      ['decrypt', 's3://offsite/x.age', '--identity', 'K', '--s3-endpoint', 'ftp://x'],
      /--s3-endpoint must start with https:\/\//
    ]
  ])('usage error %j exits 2', async (argv, expected) => {
    const file = join(dir, 'f.db.zst.age')
    mkdirSync(dir, { recursive: true })
    execFileSync('cp', [keyFile, file])
    const resolved = argv.map(a => (a === 'F' ? file : a === 'D' ? join(dir, 'never-dir') : a === 'K' ? keyFile : a))
    const r = await cli(awsEnv(), ...resolved)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(expected)
    expect(existsSync(join(dir, 'never-dir'))).toBe(false)
  })
})
