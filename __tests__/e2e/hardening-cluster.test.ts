/**
 * Choosing the member on a real three-member etcd 3.4 cluster with mutual TLS on loopback (peer TLS too), plus a
 * learner: a caught-up follower is preferred over the leader, learners and stopped members are skipped and named,
 * and the leader is used when no follower answers. Each choice and its reason is in the log.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../harness/action-runner.js'
import {
  addLearner,
  ETCD_VERSION,
  memberStatus,
  startCluster,
  stopAll,
  type EtcdCluster,
  type EtcdMember
} from '../harness/etcd.js'
import { makePki, type Pki } from '../harness/pki.js'
import { SecretScan } from '../harness/secrets.js'
import { seedKubernetes } from '../harness/seed.js'

let dir: string
let pki: Pki
let cluster: EtcdCluster
let learner: EtcdMember
let recipient: string
const secrets = new SecretScan()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-cluster-'))
  pki = await makePki(join(dir, 'pki'))
  cluster = await startCluster(3, { pki })
  await seedKubernetes(await cluster.leader(), { objects: 400, seed: 21 })
  learner = await addLearner(cluster)
  const identityFile = join(dir, 'key.txt')
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' })
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim()
  secrets.addPki(pki).addAgeIdentities('age identity', identityFile)
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** Backs up from these endpoints; each run is searched for secrets as soon as it ends, so each test checks its own. */
async function backupFrom(
  name: string,
  endpoints: EtcdMember[],
  tls: Record<string, string> = { cacert: pki.caCert, cert: pki.clientCert, key: pki.clientKey }
): Promise<ActionRun> {
  const outputDir = mkdtempSync(join(dir, 'out-'))
  const { main, post } = await runAction({
    inputs: {
      endpoints: endpoints.map(m => m.clientUrl).join('\n'),
      ...tls,
      recipients: recipient,
      upload: 'false',
      'output-dir': outputDir,
      'artifact-name': name
    }
  })
  secrets.expectClean({ runs: { [`${name} main`]: main, [`${name} post`]: post }, trees: [outputDir] })
  expect(post.code).toBe(0)
  return main
}

const voters = (): EtcdMember[] => cluster.members.filter(m => m !== learner)
const quote = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

describe('choosing the member on a three-member TLS cluster with a learner', () => {
  it('prefers a caught-up follower over the leader, skips the learner, and says why', async () => {
    const leader = await cluster.leader()
    const learnerId = (await memberStatus(learner)).memberId
    const main = await backupFrom('all-four', [leader, ...voters().filter(m => m !== leader), learner])
    expect(main.error).toBeUndefined()
    const used = main.outputs['endpoint'] as string
    expect(voters().map(m => m.clientUrl)).toContain(used)
    expect(used).not.toBe(leader.clientUrl)
    expect(main.log).toContain(`skipped ${learner.clientUrl}: learner (not a voting member, may lag)`)
    expect(main.log).toMatch(
      new RegExp(
        `^using ${quote(used)} \\(member [0-9a-f]+, etcd ${quote(ETCD_VERSION)}, revision \\d+\\): a caught-up follower \\(applied index \\d+, leader at \\d+\\); keeps the snapshot's load off the leader$`,
        'm'
      )
    )
    expect(main.log).not.toContain(`using ${learner.clientUrl}`)
    expect(learnerId).toMatch(/^[0-9a-f]+$/)
    expect(main.log).not.toContain(`(member ${learnerId},`)
  })

  it('a learner alone is not a usable source: fails naming it and why', async () => {
    const main = await backupFrom('learner-only', [learner])
    expect(main.error).toBe(`no usable etcd endpoint: ${learner.clientUrl}: learner (not a voting member, may lag)`)
  })

  it('one member stopped: skipped and named, the backup comes from the remaining follower', async () => {
    const leader = await cluster.leader()
    const [stopped, remaining] = voters().filter(m => m !== leader) as [EtcdMember, EtcdMember]
    await stopped.stop()
    try {
      const main = await backupFrom('one-stopped', voters())
      expect(main.error).toBeUndefined()
      expect(main.log).toContain(
        `skipped ${stopped.clientUrl}: connection refused: nothing listens there, or etcd is down`
      )
      expect(main.outputs['endpoint']).toBe(remaining.clientUrl)
      expect(main.log).toMatch(/: a caught-up follower \(applied index \d+, leader at \d+\)/)

      // Only the leader and the stopped follower given: the leader is used, and the log says it is the fallback.
      const fallback = await backupFrom('leader-fallback', [leader, stopped])
      expect(fallback.error).toBeUndefined()
      expect(fallback.outputs['endpoint']).toBe(leader.clientUrl)
      expect(fallback.log).toContain(`skipped ${stopped.clientUrl}: connection refused`)
      expect(fallback.log).toMatch(
        new RegExp(`^using ${quote(leader.clientUrl)} .*: the leader \\(no follower was reachable\\)$`, 'm')
      )
    } finally {
      await stopped.restart()
    }
  })

  it('leaks no secret in a backup from the whole cluster with the TLS key given as text', async () => {
    const tls = { cacert: pki.pem('caCert'), cert: pki.pem('clientCert'), key: pki.pem('clientKey') }
    const scan = new SecretScan().addSecretInputs(tls)
    expect(scan.size).toBeGreaterThan(1)
    const main = await backupFrom('secret-text', [...voters(), learner], tls)
    expect(main.error).toBeUndefined()
    scan.expectClean({ runs: { main }, trees: [dir] })
  })
})
