/**
 * The test support itself: kubeadm-shaped PKI, real etcd 3.4 members and clusters on loopback with mutual TLS,
 * and fast Kubernetes-shaped seeding through the v3 gateway.
 */
import { X509Certificate } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Pki } from '../harness/pki.js'
import { HEALTHCHECK_CLIENT_CN, makePki } from '../harness/pki.js'
import type { EtcdCluster, EtcdMember } from '../harness/etcd.js'
import {
  API_ENV,
  ETCD_VERSION,
  snapshotTool,
  addLearner,
  etcdctl,
  promoteLearner,
  memberRequest,
  memberStatus,
  startCluster,
  startEtcd,
  stopAll
} from '../harness/etcd.js'
import {
  AESCBC_PREFIX,
  addRole,
  addUser,
  disableAuth,
  K8S_PROTOBUF_MAGIC,
  compact,
  countKeys,
  deleteKeys,
  deletePrefix,
  enableAuth,
  grantLease,
  kubernetesEntries,
  putMany,
  readAll,
  resourceOf,
  seedKubernetes
} from '../harness/seed.js'

let dir: string
let pki: Pki

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'support-test-'))
  pki = await makePki(join(dir, 'pki'))
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// Short timeouts so rejected connections fail fast instead of retrying for the default 5 s. (etcdctl 3.4 ignores
// ETCDCTL_*_TIMEOUT variables for these, so they go on argv; they are no secret.)
const FAST_FAIL = ['--dial-timeout=1s', '--command-timeout=1s']

describe('makePki', () => {
  it('builds a kubeadm-shaped etcd PKI and an unrelated CA', () => {
    const ca = new X509Certificate(pki.pem('caCert'))
    const server = new X509Certificate(pki.pem('serverCert'))
    const peer = new X509Certificate(pki.pem('peerCert'))
    const client = new X509Certificate(pki.pem('clientCert'))
    const otherCa = new X509Certificate(pki.pem('otherCaCert'))
    const otherClient = new X509Certificate(pki.pem('otherClientCert'))

    expect(ca.ca).toBe(true)
    for (const leaf of [server, peer, client]) {
      expect(leaf.ca).toBe(false)
      expect(leaf.checkIssued(ca)).toBe(true)
      expect(leaf.verify(ca.publicKey)).toBe(true)
    }
    const serverAuth = '1.3.6.1.5.5.7.3.1'
    const clientAuth = '1.3.6.1.5.5.7.3.2'
    for (const serving of [server, peer]) {
      expect(serving.subjectAltName).toContain('DNS:localhost')
      expect(serving.subjectAltName).toContain('IP Address:127.0.0.1')
      expect(serving.checkHost('localhost')).toBe('localhost')
      expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1')
      expect(serving.keyUsage).toEqual(expect.arrayContaining([serverAuth, clientAuth]))
    }
    expect(client.subject).toBe(`CN=${HEALTHCHECK_CLIENT_CN}`)
    expect(client.keyUsage).toEqual([clientAuth])
    const gatewayClient = new X509Certificate(pki.pem('gatewayClientCert'))
    expect(gatewayClient.checkIssued(ca)).toBe(true)
    expect(gatewayClient.subject).not.toMatch(/CN=/)
    expect(otherClient.checkIssued(otherCa)).toBe(true)
    expect(otherClient.checkIssued(ca)).toBe(false)
    expect(otherClient.verify(ca.publicKey)).toBe(false)
    expect(pki.read().clientKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    expect(server.serialNumber).not.toBe(peer.serialNumber)
  })
})

describe('single TLS member', () => {
  let member: EtcdMember
  const seedOpts = { objects: 2000, namespaces: 12, seed: 7, encryptSecrets: true }

  beforeAll(async () => {
    member = await startEtcd({ pki, name: 'single' })
  })

  it('runs etcd on loopback with client-cert auth and logs to a file', async () => {
    expect(member.clientUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(member.peerUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(member.clientUrl).not.toBe(member.peerUrl)
    expect(alive(member.pid)).toBe(true)
    expect(member.args).toEqual(expect.arrayContaining(['--client-cert-auth', `--trusted-ca-file=${pki.caCert}`]))
    expect(readFileSync(member.logFile, 'utf8')).toMatch(/serving client traffic securely/)
    expect(member.etcdctlEnv).toEqual({
      ...API_ENV,
      ETCDCTL_ENDPOINTS: member.clientUrl,
      ETCDCTL_CACERT: pki.caCert,
      ETCDCTL_CERT: pki.clientCert,
      ETCDCTL_KEY: pki.clientKey
    })
    expect((await memberStatus(member)).version).toBe(ETCD_VERSION)
  })

  it('seeds Kubernetes-shaped data that reads back byte for byte', async () => {
    const result = await seedKubernetes(member, seedOpts)
    const expected = new Map(kubernetesEntries(seedOpts))
    const expectedBytes = [...expected.values()].reduce((s, v) => s + v.length, 0)
    expect(result.keys).toBe(2000)
    expect(expected.size).toBe(2000)
    expect(result.bytes).toBe(expectedBytes)
    expect(result.revision).toBeGreaterThan(1)
    expect(Object.values(result.byResource).reduce((a, b) => a + b, 0)).toBe(2000)

    const stored = await readAll(member, { pageSize: 300 })
    expect(stored.size).toBe(2000)
    for (const [key, value] of expected) expect(stored.get(key)?.equals(value)).toBe(true)
    expect(await countKeys(member, '/registry/')).toBe(2000)
    expect(await countKeys(member, '/registry/pods/')).toBe(result.byResource.pods)

    expect(stored.has('/registry/namespaces/default')).toBe(true)
    expect(stored.has('/registry/namespaces/kube-system')).toBe(true)
    expect(stored.has('/registry/leases/kube-node-lease/worker-1')).toBe(true)
    expect(stored.has('/registry/apiregistration.k8s.io/apiservices/v1.apps')).toBe(true)
    for (const [key, value] of stored) {
      if (resourceOf(key) === 'secrets') expect(value.subarray(0, AESCBC_PREFIX.length).toString()).toBe(AESCBC_PREFIX)
      else expect(value.subarray(0, 4).equals(K8S_PROTOBUF_MAGIC)).toBe(true)
    }
    const podSizes = [...stored].filter(([k]) => k.startsWith('/registry/pods/')).map(([, v]) => v.length)
    expect(Math.min(...podSizes)).toBeGreaterThanOrEqual(1900)
    expect(Math.max(...podSizes)).toBeLessThanOrEqual(8200)
  })

  it('puts the same bytes over the JSON gateway as over gRPC', async () => {
    const entries = [...kubernetesEntries({ objects: 300, seed: 99 })].map(([key, value]): [string, Buffer] => [
      key.replace('/registry/', '/via-gateway/'),
      value
    ])
    const before = (await memberStatus(member)).revision
    const res = await putMany(member, entries, { via: 'gateway', concurrency: 2 })
    expect(res.keys).toBe(300)
    expect(res.revision).toBeGreaterThan(before)
    const stored = await readAll(member, { prefix: '/via-gateway/' })
    expect(stored.size).toBe(300)
    for (const [key, value] of entries) expect(stored.get(key)?.equals(value)).toBe(true)
    expect((await deletePrefix(member, '/via-gateway/')).deleted).toBe(300)
  })

  it('answers etcdctl with the healthcheck client cert', async () => {
    // etcdctl 3.4 has no --count-only; the JSON header of a limited get carries the full count.
    const count = await etcdctl(member, ['get', '/registry/', '--prefix', '--limit=1', '-w', 'json'])
    expect(count.code).toBe(0)
    expect((JSON.parse(count.stdout) as { count: number }).count).toBe(2000)
    const health = await etcdctl(member, ['endpoint', 'health'])
    expect(health.code).toBe(0)
    expect(health.stdout + health.stderr).toMatch(/is healthy/)
  })

  it('rejects a client cert from another CA, and etcdctl rejects a server cert it cannot verify', async () => {
    const rejections = (): number =>
      (readFileSync(member.logFile, 'utf8').match(/rejected connection.*failed to verify (client )?certificate/g) ?? [])
        .length
    const before = rejections()
    const otherClient = await etcdctl(member, ['get', '/registry/namespaces/default', ...FAST_FAIL], {
      ETCDCTL_CERT: pki.otherClientCert,
      ETCDCTL_KEY: pki.otherClientKey
    })
    expect(otherClient.code).not.toBe(0)
    expect(otherClient.stderr).toMatch(/context deadline exceeded/)
    // etcdctl only reports a timeout; the server log says why.
    expect(rejections()).toBeGreaterThan(before)

    const noClientCert = await etcdctl(member, ['get', '/registry/namespaces/default', ...FAST_FAIL], {
      ETCDCTL_CERT: undefined,
      ETCDCTL_KEY: undefined
    })
    expect(noClientCert.code).not.toBe(0)

    const wrongCa = await etcdctl(member, ['get', '/registry/namespaces/default', ...FAST_FAIL], {
      ETCDCTL_CACERT: pki.otherCaCert
    })
    expect(wrongCa.code).not.toBe(0)

    // The gateway enforces the same: a TLS handshake with the other CA's client cert fails.
    const agent = new https.Agent({
      ca: pki.pem('caCert'),
      cert: pki.pem('otherClientCert'),
      key: pki.pem('otherClientKey')
    })
    await expect(memberRequest({ clientUrl: member.clientUrl, agent }, 'GET', '/health')).rejects.toThrow()
    agent.destroy()
  })

  it('saves a snapshot with etcdctl', async () => {
    const file = join(dir, 'single.db')
    const save = await etcdctl(member, ['snapshot', 'save', file])
    expect(save.code).toBe(0)
    expect(statSync(file).size).toBeGreaterThan(1_000_000)
    // etcdutl from 3.5 on (3.6's etcdctl has no snapshot status), etcdctl in 3.4.
    const status = await snapshotTool(['snapshot', 'status', file, '-w', 'json'])
    expect(status.code).toBe(0)
    const parsed = JSON.parse(status.stdout) as { totalKey: number; revision: number }
    expect(parsed.totalKey).toBeGreaterThanOrEqual(2000)
    expect(parsed.revision).toBe((await memberStatus(member)).revision)

    const restored = await startEtcd({ pki, name: 'restored', restoreFrom: file })
    const [original, copy] = await Promise.all([readAll(member), readAll(restored)])
    expect(copy.size).toBe(original.size)
    for (const [key, value] of original) expect(copy.get(key)?.equals(value)).toBe(true)
    expect((await etcdctl(restored, ['member', 'list'])).stdout).toContain(`, restored, ${restored.peerUrl}, `)
    await restored.stop()
  })

  it('deletes, compacts and attaches leases', async () => {
    const before = await memberStatus(member)
    const { deleted, revision } = await deleteKeys(member, ['/registry/namespaces/kube-public', '/no/such/key'])
    expect(deleted).toBe(1)
    expect(revision).toBe(before.revision + 1)

    await compact(member, revision, true)
    const old = await etcdctl(member, ['get', '/registry/namespaces/kube-public', `--rev=${before.revision}`])
    expect(old.code).not.toBe(0)
    expect(old.stderr).toMatch(/required revision has been compacted/)

    const lease = await grantLease(member, 120)
    await putMany(member, [['/registry/events/default/leased-grpc', 'x']], { lease: lease.id })
    await putMany(member, [['/registry/events/default/leased-gateway', 'y']], { lease: lease.id, via: 'gateway' })
    const ttl = await etcdctl(member, ['lease', 'timetolive', BigInt(lease.id).toString(16), '--keys'])
    expect(ttl.code).toBe(0)
    const attached = /attached keys\(\[(.*)\]\)/.exec(ttl.stdout)?.[1]?.split(' ')
    expect(attached?.sort()).toEqual([
      '/registry/events/default/leased-gateway',
      '/registry/events/default/leased-grpc'
    ])
  })

  it('restarts with the same data and ports, and kill() ends the process', async () => {
    const pid = member.pid
    const keys = await countKeys(member)
    await member.restart()
    expect(member.pid).not.toBe(pid)
    expect(alive(pid)).toBe(false)
    expect(await countKeys(member)).toBe(keys)

    member.kill('SIGKILL')
    await member.exited()
    expect(member.running).toBe(false)
    expect(alive(member.pid)).toBe(false)
  })
})

describe('auth-enabled member', () => {
  it('enables auth; the helpers then authenticate as root, etcdctl needs a user', async () => {
    const member = await startEtcd({ pki, name: 'auth' })
    await enableAuth(member, 'r00t-pass')
    const seeded = await seedKubernetes(member, { objects: 50 })
    expect(seeded.keys).toBe(50)
    expect(await countKeys(member)).toBe(50)

    // No user: etcd takes the client cert CN as the user, which does not exist.
    const anonymous = await etcdctl(member, ['get', '/registry/', '--prefix', '--limit=1', ...FAST_FAIL])
    expect(anonymous.code).not.toBe(0)
    expect(anonymous.stderr).toMatch(/permission denied|user name not found/)
    const asRoot = await etcdctl(member, ['get', '/registry/', '--prefix', '--limit=1', '-w', 'json'], {
      ETCDCTL_USER: 'root',
      ETCDCTL_PASSWORD: 'r00t-pass'
    })
    expect(asRoot.code).toBe(0)
    expect((JSON.parse(asRoot.stdout) as { count: number }).count).toBe(50)

    await addRole(member, 'registry-reader', { prefix: '/registry/', type: 'READ' })
    await addUser(member, 'reader', 'reader-pass', ['registry-reader'])
    const reader = { ETCDCTL_USER: 'reader', ETCDCTL_PASSWORD: 'reader-pass' }
    expect((await etcdctl(member, ['get', '/registry/namespaces/default', '--keys-only'], reader)).stdout).toContain(
      '/registry/namespaces/default'
    )
    // Refused at once; a longer command timeout only keeps a loaded machine from turning that into a timeout.
    const write = await etcdctl(member, ['put', '/registry/x', 'y', '--command-timeout=10s'], reader)
    expect(write.code).not.toBe(0)
    expect(write.stderr).toMatch(/permission denied/)

    await disableAuth(member)
    expect((await etcdctl(member, ['get', '/registry/', '--prefix', '--keys-only'])).code).toBe(0)
    await member.stop()
  })
})

describe('quota', () => {
  it('passes --quota-backend-bytes and surfaces etcd errors from bulk puts', async () => {
    const member = await startEtcd({ quotaBackendBytes: 4 * 1024 * 1024, name: 'small' })
    expect(member.clientUrl).toMatch(/^http:\/\//)
    await expect(seedKubernetes(member, { objects: 3000 })).rejects.toThrow(/database space exceeded/)
    const alarms = await etcdctl(member, ['alarm', 'list'])
    expect(alarms.stdout).toMatch(/alarm:NOSPACE/)
    await member.stop()
  })
})

describe('cluster', () => {
  let cluster: EtcdCluster

  beforeAll(async () => {
    cluster = await startCluster(3, { pki })
  })

  it('starts 3 healthy members with one leader', async () => {
    const endpoints = cluster.members.map(m => m.clientUrl).join(',')
    expect(cluster.etcdctlEnv.ETCDCTL_ENDPOINTS).toBe(endpoints)
    const health = await etcdctl(cluster, ['endpoint', 'health'])
    expect(health.code).toBe(0)
    expect((health.stdout + health.stderr).match(/is healthy/g)).toHaveLength(3)

    const status = await etcdctl(cluster.members[0]!, ['endpoint', 'status', '-w', 'json', `--endpoints=${endpoints}`])
    expect(status.code).toBe(0)
    // uint64 ids exceed double precision, so compare them as strings straight from the JSON text.
    const ids = [...status.stdout.matchAll(/"member_id":(\d+).*?"leader":(\d+)/g)].map(m => [m[1], m[2]])
    expect(ids).toHaveLength(3)
    const leaders = new Set(ids.map(([, leader]) => leader))
    expect(leaders.size).toBe(1)
    expect(ids.filter(([id, leader]) => id === leader)).toHaveLength(1)

    const leader = await cluster.leader()
    const leaderStatus = await memberStatus(leader)
    expect(BigInt(`0x${leaderStatus.memberId}`).toString()).toBe([...leaders][0])
  })

  it('adds a learner and tolerates a stopped follower', async () => {
    const learner = await addLearner(cluster)
    expect(cluster.members).toHaveLength(4)
    expect((await memberStatus(learner)).isLearner).toBe(true)
    const list = await etcdctl(cluster.members[0]!, ['member', 'list'])
    expect(list.stdout).toMatch(new RegExp(`started, ${learner.name}, .*, true\\n`))
    await promoteLearner(cluster, learner)
    expect((await memberStatus(learner)).isLearner).toBe(false)
    const promoted = await etcdctl(cluster.members[0]!, ['member', 'list'])
    expect(promoted.stdout).toMatch(new RegExp(`started, ${learner.name}, .*, false\\n`))

    const leader = await cluster.leader()
    const follower = cluster.members.find(m => m !== leader && m !== learner)!
    await follower.stop()
    expect(follower.running).toBe(false)
    const down = await etcdctl(follower, ['endpoint', 'health', ...FAST_FAIL])
    expect(down.code).not.toBe(0)
    const up = await etcdctl(leader, ['put', '/still/writable', 'yes'])
    expect(up.code).toBe(0)
  })
})

describe('stopAll', () => {
  it('leaves no etcd process and no temp dir behind', async () => {
    const member = await startEtcd({ pki, name: 'last' })
    const pid = member.pid
    await stopAll()
    expect(alive(pid)).toBe(false)
    expect(existsSync(member.baseDir)).toBe(false)
  })
})
