/**
 * Limits a user may set as high as they like: the backup action, run as a runner runs it against a real etcd and the
 * artifact-service emulator, with timeouts far beyond what Node can arm a timer for.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { runAction } from '../harness/action-runner.js'
import { startArtifactService, type ArtifactService } from '../harness/artifact-service.js'
import { startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { seedKubernetes } from '../harness/seed.js'

let dir: string
let pki: Pki
let member: EtcdMember
let service: ArtifactService
let recipient: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-limits-'))
  pki = await makePki(join(dir, 'pki'))
  member = await startEtcd({ pki })
  await seedKubernetes(member, { objects: 100, seed: 3 })
  service = await startArtifactService()
  const identityFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim()
})

afterAll(async () => {
  await service?.stop()
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

test('timeout: 700h and upload-timeout: 700h (beyond 2^31 ms) back up and upload, with no timer overflow', async () => {
  const { main, post } = await runAction({
    inputs: {
      endpoints: member.clientUrl,
      cacert: pki.caCert,
      cert: pki.clientCert,
      key: pki.clientKey,
      recipients: recipient,
      'artifact-name': 'long-limits',
      timeout: '700h',
      'upload-timeout': '700h'
    },
    env: service.env
  })
  expect(main.error).toBeUndefined()
  expect(main.code).toBe(0)
  expect(post.code).toBe(0)
  expect(main.outputs['artifact-id']).toMatch(/^\d+$/)
  expect(main.log).not.toMatch(/TimeoutOverflowWarning|did not finish within the timeout/)
})
