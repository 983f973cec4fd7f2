/**
 * The artifact service misbehaving, at the action level: the real @actions/artifact client inside the action, run as
 * a runner runs it, against the emulator's fault injection. A service that recovers must not fail the job; one that
 * refuses, hangs or rejects the name fails it with the service's own words, and the encrypted backup stays on the
 * runner with its path printed.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { runAction, type ActionRun } from '../harness/action-runner.js'
import { startArtifactService, type ArtifactService } from '../harness/artifact-service.js'
import { startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { SecretScan } from '../harness/secrets.js'
import { seedKubernetes } from '../harness/seed.js'

let dir: string
let pki: Pki
let member: EtcdMember
let service: ArtifactService
let recipient: string
const secrets = new SecretScan()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-upload-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 400, seed: 5 })
  service = await startArtifactService()
  const identityFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim()
  secrets.addPki(pki).addAgeIdentities('age identity', identityFile).add('client key PEM', pki.pem('clientKey'))
})

afterAll(async () => {
  await service?.stop()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** Backs up and uploads; each run is searched for secrets as soon as it ends, so each test checks its own. */
async function backup(name: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  const outputDir = mkdtempSync(join(dir, 'out-'))
  const { main, post } = await runAction({
    inputs: {
      endpoints: member.clientUrl,
      cacert: pki.caCert,
      cert: pki.clientCert,
      key: pki.pem('clientKey'),
      recipients: recipient,
      'output-dir': outputDir,
      'artifact-name': name,
      ...extra
    },
    env: service.env
  })
  secrets.expectClean({ runs: { [`${name} main`]: main, [`${name} post`]: post }, trees: [outputDir] })
  expect(post.code).toBe(0)
  return main
}

const statuses = (operation: string): number[] =>
  service.requests.filter(r => r.operation === operation).map(r => r.status)

/** The job failed, said why in the service's words, and kept the encrypted file (with its manifest) at the printed path. */
function expectKeptOnFailure(main: ActionRun, serviceWords: RegExp): void {
  expect(main.code).not.toBe(0)
  const file = main.outputs['snapshot-file'] as string
  expect(file).toMatch(/\.db\.zst\.age$/)
  expect(main.error).toMatch(serviceWords)
  expect(main.error).toMatch(
    new RegExp(`; the encrypted backup is kept at ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`)
  )
  expect(main.error).not.toContain('\n')
  expect(existsSync(file)).toBe(true)
  expect(readFileSync(file).subarray(0, 21).toString()).toBe('age-encryption.org/v1')
  expect(existsSync(join(dirname(file), 'manifest.json'))).toBe(true)
  // The post step keeps it: only plaintext and partial files are its to remove.
  expect(existsSync(file)).toBe(true)
}

describe('artifact service faults', () => {
  it('answers 500 to CreateArtifact and to two block uploads, then recovers: the client retries and the job succeeds', async () => {
    service.requests.length = 0
    service.failNext('CreateArtifact', 1, 500, 'internal error, try again')
    service.failNext('PutBlock', 2, 500)
    const main = await backup('recovers')
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(statuses('CreateArtifact')).toEqual([500, 200])
    expect(statuses('PutBlock').slice(0, 3)).toEqual([500, 500, 201])
    const stored = service.artifacts().find(a => a.name === 'recovers')
    expect(String(stored?.id)).toBe(main.outputs['artifact-id'])
    expect(
      service
        .readZipEntries(stored?.id as number)
        .get('recovers.db.zst.age')
        ?.equals(readFileSync(main.outputs['snapshot-file'] as string))
    ).toBe(true)
    expect(main.log).toMatch(/Attempt 1 of 5 failed with error: Failed request: \(500\)/)
  })

  it('refuses with a 4xx: fails with the service message, keeps the file and prints its path', async () => {
    service.failNext('CreateArtifact', 1, 403, 'artifact uploads are disabled for this repository by policy')
    const main = await backup('forbidden')
    expectKeptOnFailure(
      main,
      /^Upload of artifact "forbidden" failed: .*\(403\).*artifact uploads are disabled for this repository by policy/
    )
    expect(service.artifacts().some(a => a.name === 'forbidden')).toBe(false)
  })

  it("blob storage refuses the upload (403 on Put Block List): fails with Azure's message, keeps the file", async () => {
    service.failNext('PutBlockList', 1, 403, 'Server failed to authenticate the request.')
    const main = await backup('blob-refused')
    expectKeptOnFailure(main, /Server failed to authenticate the request/)
    expect(service.artifacts().some(a => a.name === 'blob-refused')).toBe(false)
  })

  it('stops answering: upload-timeout fails the job, the step ends at once, the file stays', async () => {
    service.hangNext('CreateArtifact', 1)
    const started = Date.now()
    const main = await backup('hangs', { 'upload-timeout': '2s' })
    const elapsed = Date.now() - started
    expectKeptOnFailure(
      main,
      /^Upload of artifact "hangs" failed: the artifact service did not answer within 2 s; retry the job later/
    )
    // The hung request cannot be cancelled, yet it does not hold the step open: main ends 2 s after its verdict
    // (without that guard it would wait for the hung connection until the job's own timeout, hours). The whole run,
    // snapshot and verification included, takes seconds; the bound is generous so a loaded runner does not fail it.
    expect(elapsed).toBeLessThan(60_000)
  })

  it('refuses the artifact name: fails with the service message, keeps the file', async () => {
    service.rejectNames(/^refused-/)
    try {
      const main = await backup('refused-by-policy')
      expectKeptOnFailure(main, /artifact name "refused-by-policy" is not allowed/)
    } finally {
      service.rejectNames(undefined)
    }
  })

  // Every run above is searched where it ends (in backup()); this one stands alone: a backup that is uploaded, with
  // the TLS key given as PEM text, searched along with the manifest in the stored artifact.
  it('leaks no secret in a backup and upload with the TLS key given as text', async () => {
    const tls = { cacert: pki.pem('caCert'), cert: pki.pem('clientCert'), key: pki.pem('clientKey') }
    const scan = new SecretScan().addSecretInputs(tls).addPki(pki)
    expect(scan.size).toBeGreaterThan(1)
    const main = await backup('secret-text', tls)
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    const stored = service.artifacts().find(a => a.name === 'secret-text')
    expect(String(stored?.id)).toBe(main.outputs['artifact-id'])
    const manifest = service.readZipEntries(stored?.id as number).get('manifest.json')
    expect(manifest).toBeDefined()
    scan.expectClean({ runs: { main }, texts: { 'uploaded manifest.json': String(manifest) }, trees: [dir] })
    secrets.expectClean({ trees: [dir] })
  })
})
