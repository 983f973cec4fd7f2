/**
 * The disaster-recovery runbook, executed end to end against a real kube-apiserver (scripts/kube, built from source)
 * on a TLS etcd, instead of data this project's seeder wrote: protobuf objects with the k8s\0 prefix, a CRD and its
 * custom resources (stored as JSON), events bound to etcd leases, Secrets encrypted by an EncryptionConfiguration
 * (k8s:enc:aescbc:v1:...), and the API server's own compactions every 2 s.
 *
 * 1. objects are created through the API; 2. the backup action backs the cluster up as a runner runs it;
 * 3. its summary and manifest are checked against what the API lists; 4. objects are changed, deleted and created
 * after the backup while a watch follows them; 5. the API server and etcd are stopped (runbook step 1);
 * 6. the restore action restores into a new data dir (runbook step 3), etcd and then the API server boot on it
 * (steps 5 and 6); 7. the API serves the backup-time state and the resumed watch gets 410 Gone, which makes
 * informers relist (step 7); 8. the same with bump-revision: 0 shows the hazard, and an API server restored without
 * the EncryptionConfiguration's key never becomes ready. A second cluster without encryption at rest is reported so.
 *
 * Not run here: the kubelet, static pods and crictl (steps 1, 4-6 move manifests and data dirs; here the test stops
 * and starts the processes itself), controllers, a multi-member cluster.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, runAction, runStep, type ActionRun } from '../harness/action-runner.js'
import { startArtifactService, type ArtifactService } from '../harness/artifact-service.js'
import {
  ETCD_BIN,
  ETCD_VERSION,
  ETCDCTL_BIN,
  ETCDUTL_BIN,
  etcdAtLeast,
  memberStatus,
  startEtcd,
  stopAll,
  type EtcdMember
} from '../harness/etcd.js'
import {
  kubeApiserverBin,
  kubeVersion,
  makeKubePki,
  startKubeApiserver,
  stopAllApiservers,
  writeEncryptionConfig,
  type KubeApiserver,
  type KubeObject,
  type KubePki,
  type Watch,
  type WatchEvent
} from '../harness/kube-apiserver.js'
import { makePki, type Pki } from '../harness/pki.js'
import { readAll } from '../harness/seed.js'

const RESTORE_YML = join(ROOT, 'restore', 'action.yml')
const BUMP = 1_000_000_000
const NAMESPACES = ['team-0', 'team-1', 'team-2', 'team-3']
const KEY_NAME = 'runbook-key'

// Kubernetes 1.34 supports etcd 3.5 and 3.6 (3.4 is long out of its support range), and the bumped restore needs
// etcdutl 3.5.10+; `scripts/dev.sh test` still runs the e2e project against 3.4, where this suite is skipped.
const suite = etcdAtLeast('3.5.10') ? describe : describe.skip

interface Manifest {
  snapshot: { revision: number; compactRevision: number; hashKV: { hash: number; revision: number } | null }
  cluster: { hashKV: { endpoint: string; outcome: string; hash: number | null }[] }
  kubernetes: {
    objects: number
    resources: Record<string, number>
    namespaces: string[]
    namespaceCount: number
    objectsPerNamespace: Record<string, number>
    secrets: { total: number; encrypted: number; plaintext: number }
    encryptedResources: Record<string, number>
    otherKeys: number
  }
}

const rv = (o: KubeObject | undefined): number => Number(o?.metadata?.resourceVersion ?? NaN)

async function inPool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T)
    })
  )
}

/** Expects the API call to answer `status`, with the server's message when it does not. */
async function call(
  api: KubeApiserver,
  method: string,
  path: string,
  body?: unknown,
  status = 200
): Promise<KubeObject> {
  const res = await api.request(method, path, body)
  if (res.status !== status)
    throw new Error(
      `${method} ${path}: HTTP ${res.status}, expected ${status}: ${JSON.stringify(res.body).slice(0, 500)}`
    )
  return res.body
}

// ---------------------------------------------------------------------------------------------------------------
// What the test creates: per namespace ConfigMaps, Secrets, a Deployment, a Service, custom resources and Events

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } }
            }
          }
        }
      }
    ]
  }
}

const CONFIGMAPS = 30
const SECRETS = 15
const WIDGETS = 15
const EVENTS = 3

/** Collection path and body of every namespaced object the test creates. */
function objectsOf(ns: string): { collection: string; name: string; body: unknown }[] {
  const out: { collection: string; name: string; body: unknown }[] = []
  for (let i = 0; i < CONFIGMAPS; i++) {
    const name = `cm-${i}`
    out.push({
      collection: `/api/v1/namespaces/${ns}/configmaps`,
      name,
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, labels: { app: 'runbook' } },
        data: { index: String(i), text: `config ${ns}/${i} `.repeat(20) }
      }
    })
  }
  for (let i = 0; i < SECRETS; i++) {
    const name = `secret-${i}`
    out.push({
      collection: `/api/v1/namespaces/${ns}/secrets`,
      name,
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name },
        type: 'Opaque',
        stringData: { password: `${ns}-password-${i}-${'x'.repeat(i)}` }
      }
    })
  }
  out.push({
    collection: `/apis/apps/v1/namespaces/${ns}/deployments`,
    name: 'web',
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10' }] }
        }
      }
    }
  })
  out.push({
    collection: `/api/v1/namespaces/${ns}/services`,
    name: 'web',
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] }
    }
  })
  for (let i = 0; i < WIDGETS; i++) {
    const name = `widget-${i}`
    out.push({
      collection: `/apis/example.com/v1/namespaces/${ns}/widgets`,
      name,
      body: {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name },
        spec: { size: i, color: i % 2 ? 'red' : 'blue' }
      }
    })
  }
  for (let i = 0; i < EVENTS; i++) {
    const name = `web.runbook-${i}`
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    out.push({
      collection: `/api/v1/namespaces/${ns}/events`,
      name,
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name },
        involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web' },
        reason: 'RunbookTest',
        message: `event ${i}`,
        type: 'Normal',
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: 'runbook-test' }
      }
    })
  }
  return out
}

/** Creates the CRD, the namespaces and every object; returns each object's path. */
async function createObjects(api: KubeApiserver): Promise<string[]> {
  await call(api, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD, 201)
  for (const deadline = Date.now() + 60_000; ;) {
    const crd = await call(api, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')
    const conditions = (crd['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions
    if (conditions?.some(c => c.type === 'Established' && c.status === 'True')) break
    if (Date.now() > deadline) throw new Error('the CRD was not established within 60 s')
    await new Promise(r => setTimeout(r, 200))
  }
  for (const ns of NAMESPACES)
    await call(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, 201)
  const paths = [
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
    ...NAMESPACES.map(ns => `/api/v1/namespaces/${ns}`)
  ]
  const all = NAMESPACES.flatMap(objectsOf)
  await inPool(all, 8, async o => {
    // A new CRD's resources are served a moment after it is established (discovery catches up).
    for (let attempt = 0; ; attempt++) {
      const res = await api.request('POST', o.collection, o.body)
      if (res.status === 201) break
      if (res.status !== 404 || attempt > 50)
        throw new Error(`POST ${o.collection}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`)
      await new Promise(r => setTimeout(r, 200))
    }
    paths.push(`${o.collection}/${o.name}`)
  })
  return paths.sort()
}

/** Every object at these paths, as the API serves it now. */
async function readObjects(api: KubeApiserver, paths: readonly string[]): Promise<Map<string, KubeObject>> {
  const out = new Map<string, KubeObject>()
  await inPool(paths, 8, async p => {
    out.set(p, await call(api, 'GET', p))
  })
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)))
}

// ---------------------------------------------------------------------------------------------------------------
// The API's own count of what it stores, per storage prefix, from discovery and list calls

interface ApiResource {
  name: string
  namespaced: boolean
  verbs: string[]
}

/**
 * The list path of the resource an inventory entry counts: etcd keys live under /registry/<resource> for built-in
 * groups and /registry/<group>/<resource> for CRDs and APIServices; Services and Endpoints share services/.
 */
async function listPaths(api: KubeApiserver): Promise<Map<string, string>> {
  const byName = new Map<string, string>()
  const byGroup = new Map<string, string>()
  const core = (await call(api, 'GET', '/api/v1')) as { resources: ApiResource[] }
  for (const r of core.resources)
    if (!r.name.includes('/') && r.verbs.includes('list')) byName.set(r.name, `/api/v1/${r.name}`)
  const groups = (await call(api, 'GET', '/apis')) as {
    groups: { name: string; preferredVersion: { groupVersion: string } }[]
  }
  for (const g of groups.groups) {
    const list = (await call(api, 'GET', `/apis/${g.preferredVersion.groupVersion}`)) as { resources: ApiResource[] }
    for (const r of list.resources) {
      if (r.name.includes('/') || !r.verbs.includes('list')) continue
      const path = `/apis/${g.preferredVersion.groupVersion}/${r.name}`
      byGroup.set(`${g.name}/${r.name}`, path)
      if (!byName.has(r.name)) byName.set(r.name, path)
    }
  }
  const out = new Map<string, string>()
  for (const [k, v] of byName) out.set(k, v)
  for (const [k, v] of byGroup) out.set(k, v)
  out.set('services/specs', '/api/v1/services')
  out.set('services/endpoints', '/api/v1/endpoints')
  return out
}

async function listItems(api: KubeApiserver, path: string): Promise<KubeObject[]> {
  return (await call(api, 'GET', path)).items ?? []
}

// ---------------------------------------------------------------------------------------------------------------

suite(`the disaster-recovery runbook on kube-apiserver and etcd ${ETCD_VERSION}`, () => {
  let dir: string
  let pki: Pki
  let kubePki: KubePki
  let bin: string
  let encryptionConfig: string
  let service: ArtifactService
  let identity: string
  let recipient: string
  let etcd: EtcdMember
  let api: KubeApiserver
  let paths: string[]
  /** Every created object as the API served it just before the backup. */
  let atBackup: Map<string, KubeObject>
  let backup: ActionRun
  let manifest: Manifest
  let backupRevision: number
  /** The highest resourceVersion any client saw before the restore. */
  let highestSeen: number
  /** The last resourceVersion the watch on team-0's ConfigMaps delivered before the API server stopped. */
  let watchedTo: string
  let watchedEvents: WatchEvent[]
  const changed = NAMESPACES.flatMap((ns, n) => [
    `/api/v1/namespaces/${ns}/configmaps/cm-${n}`,
    `/api/v1/namespaces/${ns}/secrets/secret-${n}`,
    `/apis/example.com/v1/namespaces/${ns}/widgets/widget-${n}`
  ]).concat(Array.from({ length: 6 }, (_, i) => `/api/v1/namespaces/team-0/configmaps/cm-${10 + i}`))
  const deleted = [
    ...Array.from({ length: 4 }, (_, i) => `/api/v1/namespaces/team-0/configmaps/cm-${20 + i}`),
    '/api/v1/namespaces/team-1/secrets/secret-14',
    '/apis/example.com/v1/namespaces/team-2/widgets/widget-14'
  ]
  const createdAfter = [
    ...Array.from({ length: 4 }, (_, i) => `/api/v1/namespaces/team-0/configmaps/after-backup-${i}`),
    '/api/v1/namespaces/team-1/secrets/after-backup',
    '/api/v1/namespaces/after-backup'
  ]

  beforeAll(async () => {
    // Builds kube-apiserver when this machine has none yet: many minutes, once (see scripts/kube/go.mod).
    bin = kubeApiserverBin()
    dir = mkdtempSync(join(tmpdir(), 'runbook-test-'))
    ;[pki, kubePki] = await Promise.all([makePki(join(dir, 'etcd-pki')), makeKubePki(join(dir, 'kube-pki'))])
    encryptionConfig = writeEncryptionConfig(dir, KEY_NAME)
    service = await startArtifactService()
    const keyFile = join(dir, 'key.txt')
    execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
    identity = readFileSync(keyFile, 'utf8')
    recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim()
    etcd = await startEtcd({ pki, name: 'etcd-0' })
    api = await startKubeApiserver({ bin, kubePki, etcd, dir, encryptionConfig, compactionInterval: '2s' })
  }, 60 * 60_000)

  afterAll(async () => {
    await service?.stop()
    await stopAllApiservers()
    await stopAll()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('1-3. backs up objects created through the API, and its inventory is what the API lists', async () => {
    expect(kubeVersion(bin)).toMatch(/^v1\.\d+\.\d+$/)
    paths = await createObjects(api)
    expect(paths.length).toBeGreaterThan(250)
    atBackup = await readObjects(api, paths)
    // The API server compacts on its own; let it have done so at least once before the backup.
    for (
      const deadline = Date.now() + 30_000;
      !/finished scheduled compaction/.test(readFileSync(etcd.logFile, 'utf8'));
    ) {
      if (Date.now() > deadline) throw new Error('the API server did not compact etcd within 30 s')
      await new Promise(r => setTimeout(r, 200))
    }

    // What a real API server writes, as stored in etcd: protobuf with the k8s\0 prefix, Secrets encrypted with the
    // configured key, custom resources as JSON.
    const stored = await readAll(etcd, { prefix: '/registry/' })
    const value = (key: string): Buffer => stored.get(key) ?? Buffer.alloc(0)
    expect(value('/registry/configmaps/team-0/cm-0').subarray(0, 4)).toEqual(Buffer.from('k8s\0'))
    expect(value('/registry/secrets/team-0/secret-0').toString('latin1')).toMatch(
      new RegExp(`^k8s:enc:aescbc:v1:${KEY_NAME}:`)
    )
    expect(value('/registry/example.com/widgets/team-0/widget-0').toString()).toMatch(
      /^\{"apiVersion":"example.com\/v1"/
    )

    const compactionsBefore = (readFileSync(etcd.logFile, 'utf8').match(/finished scheduled compaction/g) ?? []).length
    const required = [
      '/registry/namespaces/kube-system',
      '/registry/apiextensions.k8s.io/customresourcedefinitions/widgets.example.com',
      '/registry/example.com/widgets/team-0/',
      '/registry/secrets/team-1/',
      '/registry/deployments/team-2/web'
    ]
    const { main } = await runAction({
      inputs: {
        endpoints: etcd.clientUrl,
        cacert: pki.caCert,
        cert: pki.clientCert,
        key: pki.clientKey,
        recipients: recipient,
        'artifact-name': 'runbook',
        'required-keys': required.join('\n'),
        'restore-drill': 'true',
        etcd: ETCD_BIN,
        etcdctl: ETCDCTL_BIN,
        etcdutl: ETCDUTL_BIN ?? ''
      },
      env: service.env
    })
    if (main.code !== 0) throw new Error(`backup failed: ${main.error}\n${main.log}`)
    backup = main
    backupRevision = Number(main.outputs['revision'])
    const compactionsDuring =
      (readFileSync(etcd.logFile, 'utf8').match(/finished scheduled compaction/g) ?? []).length - compactionsBefore
    const artifact = service.artifacts().find(a => a.name === 'runbook')
    manifest = JSON.parse(service.readZipEntries(artifact!.id).get('manifest.json')!.toString()) as Manifest

    // Every object noted before the backup is in it: no resourceVersion above the snapshot's revision.
    for (const o of atBackup.values()) expect(rv(o)).toBeLessThanOrEqual(backupRevision)

    // The inventory per resource equals the API's list count; what has no list (IP range allocations) is named.
    const k = manifest.kubernetes
    const lists = await listPaths(api)
    const apiCounts: Record<string, number> = {}
    const perNamespace: Record<string, number> = {}
    const unlisted: string[] = []
    for (const resource of Object.keys(k.resources)) {
      const path = lists.get(resource)
      if (!path) {
        unlisted.push(resource)
        continue
      }
      const items = await listItems(api, path)
      apiCounts[resource] = items.length
      for (const item of items) {
        const ns = item.metadata?.namespace
        if (ns) perNamespace[ns] = (perNamespace[ns] ?? 0) + 1
      }
    }
    const listed = Object.fromEntries(Object.entries(k.resources).filter(([r]) => !unlisted.includes(r)))
    expect(listed).toEqual(apiCounts)
    // No list for these: the service IP and node port allocation bitmaps (ranges/) and the endpoint lease each API
    // server keeps for itself (masterleases/, bound to an etcd lease).
    expect(unlisted).toEqual(['masterleases', 'ranges'])
    expect(k.objectsPerNamespace).toEqual(perNamespace)
    const namespaces = (await listItems(api, '/api/v1/namespaces')).map(n => n.metadata?.name).sort()
    expect(k.namespaces).toEqual(namespaces)
    expect(k.resources['example.com/widgets']).toBe(NAMESPACES.length * WIDGETS)
    expect(k.resources['apiextensions.k8s.io/customresourcedefinitions']).toBe(1)
    // Only the API server's compaction bookkeeping lives outside /registry/.
    expect(k.otherKeys).toBe(1)

    // Secrets: all encrypted at rest, and nothing else is.
    const secrets = (await listItems(api, '/api/v1/secrets')).length
    expect(k.secrets).toEqual({ total: secrets, encrypted: secrets, plaintext: 0 })
    expect(k.encryptedResources).toEqual({ secrets })
    expect(main.summary).toContain(`${secrets} Secrets, all encrypted at rest`)
    expect(main.log).not.toMatch(/stored unencrypted/)

    // HashKV at the snapshot's revision matches the member, though the API server compacted around the backup. On a
    // machine so slow that the member compacted past the snapshot's revision before it was asked, the backup says so
    // and passes without the comparison (the action's rule); the test accepts that, and says which it saw.
    expect(manifest.snapshot.compactRevision).toBeGreaterThan(0)
    const [memberHash] = manifest.cluster.hashKV
    if (memberHash?.outcome === 'compacted') {
      expect(main.log).toMatch(/compacted/)
      console.log('runbook: the member compacted past the snapshot before HashKV was asked; compared nothing')
    } else {
      expect(manifest.cluster.hashKV).toEqual([
        { endpoint: etcd.clientUrl, outcome: 'match', hash: manifest.snapshot.hashKV?.hash }
      ])
    }
    expect(main.outputs['hashkv']).toBe(String(manifest.snapshot.hashKV?.hash))
    console.log(
      `runbook: kube-apiserver ${kubeVersion(bin)} on etcd ${ETCD_VERSION}: ${k.objects} objects, revision ${backupRevision}, ` +
        `compacted at ${manifest.snapshot.compactRevision}; ${compactionsDuring} compactions by the API server during the backup; ` +
        `resources ${JSON.stringify(k.resources)}`
    )
  }, 300_000)

  it('4-5. objects changed, deleted and created after the backup; a watch follows them; then the control plane stops', async () => {
    const start = await call(api, 'GET', '/api/v1/namespaces/team-0/configmaps')
    const watch = await api.watch('/api/v1/namespaces/team-0/configmaps', start.metadata!.resourceVersion!)
    expect(watch.status).toBe(200)
    for (const p of changed) {
      const o = structuredClone(atBackup.get(p)!)
      if (o.kind === 'Secret') o['stringData'] = { password: 'changed after the backup' }
      else if (o.kind === 'Widget') (o['spec'] as { color: string }).color = 'changed-after-backup'
      else o.data = { changed: 'after the backup' }
      await call(api, 'PUT', p, o)
    }
    for (const p of deleted) await call(api, 'DELETE', p)
    for (const p of createdAfter) {
      const name = p.slice(p.lastIndexOf('/') + 1)
      const collection = p.slice(0, p.lastIndexOf('/'))
      const kind = collection.endsWith('configmaps')
        ? 'ConfigMap'
        : collection.endsWith('secrets')
          ? 'Secret'
          : 'Namespace'
      await call(
        api,
        'POST',
        collection,
        { apiVersion: 'v1', kind, metadata: { name }, ...(kind === 'Namespace' ? {} : { data: {} }) },
        201
      )
    }
    // The watch sees every change to team-0's ConfigMaps: 1 + 6 modified, 4 deleted, 4 added.
    await watch.next(e => e.type === 'ADDED' && e.object.metadata?.name === 'after-backup-3')
    const changes = watch.events.filter(e => e.type !== 'BOOKMARK')
    expect(changes.map(e => e.type).sort()).toEqual([
      ...Array(4).fill('ADDED'),
      ...Array(4).fill('DELETED'),
      ...Array(7).fill('MODIFIED')
    ])
    watchedEvents = changes
    watchedTo = changes.at(-1)!.object.metadata!.resourceVersion!
    highestSeen = rv(await call(api, 'GET', '/api/v1/configmaps'))
    expect(Number(watchedTo)).toBeGreaterThan(backupRevision)

    // Runbook step 1: the API server stops, then etcd. With the watch open it stops listening but does not exit on
    // SIGTERM; the kubelet kills it after the pod's grace period (30 s), the test after 5 s.
    const stopping = Date.now()
    await api.stop(5_000)
    await watch.ended
    await etcd.stop()
    console.log(`runbook: the API server and etcd stopped in ${Date.now() - stopping} ms`)
  }, 300_000)

  /** The restore action as the runbook's step 3 runs it on a node's runner, into a new data dir; then etcd on it. */
  async function restore(bumpRevision: string, name: string): Promise<{ run: ActionRun; member: EtcdMember }> {
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const dataDir = join(dir, name, 'etcd')
    const env = service.newJobEnv()
    const inputs = {
      'artifact-name': 'runbook',
      identity,
      'data-dir': dataDir,
      name: 'etcd-0',
      'initial-cluster': 'etcd-0=https://127.0.0.1:2380',
      'initial-cluster-token': name,
      'bump-revision': bumpRevision,
      etcdctl: ETCDCTL_BIN,
      etcdutl: ETCDUTL_BIN ?? ''
    }
    const run = await runStep('restore', { inputs, env, runnerTemp, actionYml: RESTORE_YML })
    const post = await runStep('restore-post', { env, runnerTemp, actionYml: RESTORE_YML }, run.state)
    if (run.code !== 0 || post.code !== 0) throw new Error(`restore failed: ${run.error ?? post.error}\n${run.log}`)
    expect(run.outputs['revision']).toBe(String(backupRevision))
    expect(run.outputs['hashkv']).toBe(backup.outputs['hashkv'])
    const member = await startEtcd({ pki, dataDir, name: 'etcd-0' })
    return { run, member }
  }

  /** Every object at backup time, read back through the API; what changed after the backup is back as it was. */
  async function expectBackupTimeState(restored: KubeApiserver): Promise<void> {
    const now = await readObjects(restored, paths)
    // Objects keep their resourceVersion (their etcd mod revision): only the store's revision is bumped.
    expect(Object.fromEntries(now)).toEqual(Object.fromEntries(atBackup))
    for (const p of createdAfter) expect((await restored.request('GET', p)).status).toBe(404)
    const secret = await call(restored, 'GET', '/api/v1/namespaces/team-1/secrets/secret-1')
    expect(Buffer.from(secret.data!['password']!, 'base64').toString()).toBe('team-1-password-1-x')
  }

  it('6-7. restored with the bumped revision, the API serves the backup-time state and the resumed watch gets 410 Gone', async () => {
    const { member } = await restore(String(BUMP), 'restored-bumped')
    // Runbook step 5: etcd alone, at the snapshot's revision plus the bump.
    expect((await memberStatus(member)).revision).toBe(backupRevision + BUMP)
    const restored = await startKubeApiserver({
      bin,
      kubePki,
      etcd: member,
      dir,
      encryptionConfig,
      compactionInterval: '2s',
      name: 'kube-apiserver-bumped'
    })

    await expectBackupTimeState(restored)
    // Collections and new writes are above everything a client saw before.
    const list = await call(restored, 'GET', '/api/v1/configmaps')
    expect(rv(list)).toBeGreaterThan(BUMP + backupRevision)
    expect(rv(list)).toBeGreaterThan(highestSeen)
    const fresh = await call(
      restored,
      'POST',
      '/api/v1/namespaces/team-0/configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restore' } },
      201
    )
    expect(rv(fresh)).toBeGreaterThan(highestSeen)

    // The informer's watch, resumed where it stopped: 410 Gone, "too old resource version", so it relists.
    const resumed = await restored.watch('/api/v1/namespaces/team-0/configmaps', watchedTo)
    const gone = await resumed.next(e => e.type === 'ERROR')
    resumed.close()
    expect(gone.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' })
    expect(gone.object.message).toMatch(/too old resource version/)
    // Any older resourceVersion too, the backup's own included: etcd marked them compacted.
    const atSnapshot = await restored.watch('/api/v1/namespaces/team-0/configmaps', String(backupRevision))
    expect((await atSnapshot.next(e => e.type === 'ERROR')).object.code).toBe(410)
    atSnapshot.close()
    // The relist: list, then watch from the list's resourceVersion; new changes arrive.
    const relisted = await call(restored, 'GET', '/api/v1/namespaces/team-0/configmaps')
    const relistWatch = await restored.watch(
      '/api/v1/namespaces/team-0/configmaps',
      relisted.metadata!.resourceVersion!
    )
    await call(restored, 'DELETE', '/api/v1/namespaces/team-0/configmaps/after-restore')
    expect((await relistWatch.next(e => e.type === 'DELETED')).object.metadata?.name).toBe('after-restore')
    relistWatch.close()

    await restored.stop()
    await member.stop()
  }, 300_000)

  it('8. restored with bump-revision: 0, the resumed watch is accepted and the client never learns what the restore undid', async () => {
    const { run, member } = await restore('0', 'restored-unbumped')
    expect(run.outputs['warnings'] ?? '').not.toMatch(/cannot bump/)
    // etcd is back at the snapshot's revision, below what the watch had already seen.
    const revision = (await memberStatus(member)).revision
    expect(revision).toBe(backupRevision)
    const restored = await startKubeApiserver({
      bin,
      kubePki,
      etcd: member,
      dir,
      encryptionConfig,
      compactionInterval: '2s',
      name: 'kube-apiserver-unbumped'
    })
    await expectBackupTimeState(restored)

    const resumed: Watch = await restored.watch('/api/v1/namespaces/team-0/configmaps', watchedTo)
    expect(resumed.status).toBe(200)
    // Writes elsewhere carry the store past the watched resourceVersion again, reusing numbers clients already saw.
    const reused: { name: string; resourceVersion: string }[] = []
    for (
      let i = 0;
      rv(await call(restored, 'GET', '/api/v1/namespaces/team-1/configmaps?limit=1')) <= Number(watchedTo) + 1;
      i++
    ) {
      const o = await call(
        restored,
        'POST',
        '/api/v1/namespaces/team-1/configmaps',
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `after-restore-${i}` } },
        201
      )
      reused.push({ name: o.metadata!.name!, resourceVersion: o.metadata!.resourceVersion! })
    }
    const post = await call(
      restored,
      'POST',
      '/api/v1/namespaces/team-0/configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restore' } },
      201
    )
    const seen = await resumed.next(e => e.type === 'ADDED' && e.object.metadata?.name === 'after-restore')
    resumed.close()
    // No 410: the watch went on as if nothing happened, and delivered only the write past its resourceVersion.
    const delivered = resumed.events.filter(e => e.type !== 'BOOKMARK')
    expect(delivered.map(e => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED after-restore'])
    expect(rv(seen.object)).toBe(rv(post))
    // So an informer's cache, built from its list and watch, still holds the post-backup state the restore undid.
    const cache = new Map(watchedEvents.map(e => [e.object.metadata!.name!, e]))
    const server = new Map(
      (await listItems(restored, '/api/v1/namespaces/team-0/configmaps')).map(o => [o.metadata!.name!, o])
    )
    const stale = [...cache].filter(([name, e]) =>
      e.type === 'DELETED' ? server.has(name) : !server.has(name) || rv(server.get(name)) !== rv(e.object)
    )
    expect(stale.map(([name]) => name).sort()).toEqual([...cache.keys()].sort())
    // And a resourceVersion the client saw before the restore now names another write.
    const before = new Set(watchedEvents.map(e => e.object.metadata!.resourceVersion!))
    const collisions = reused.filter(
      r => Number(r.resourceVersion) > backupRevision && Number(r.resourceVersion) <= Number(watchedTo)
    )
    expect(collisions.length).toBeGreaterThan(0)
    expect(collisions.some(r => before.has(r.resourceVersion))).toBe(true)
    console.log(
      `runbook, bump-revision 0: etcd back at ${revision}, the watch had seen up to ${watchedTo}; ${reused.length} writes after the restore ` +
        `reused resourceVersions ${reused.map(r => r.resourceVersion).join(',')}; the resumed watch delivered ${JSON.stringify(delivered.map(e => e.type))}`
    )

    await restored.stop()
    // The etcd backup holds the Secrets encrypted: an API server restored without the EncryptionConfiguration's key
    // never becomes ready, its Secrets informer cannot list them.
    await expect(
      startKubeApiserver({ bin, kubePki, etcd: member, dir, name: 'kube-apiserver-keyless', readyTimeoutMs: 20_000 })
    ).rejects.toThrow(/informer-sync failed/)
    expect(readFileSync(join(dir, 'kube-apiserver-keyless.log'), 'utf8')).toMatch(
      /failed to list \*core\.Secret: unable to transform key "\/registry\/secrets\/[^"]+": identity transformer tried to read encrypted data/
    )
    await member.stop()
  }, 300_000)

  it('without an EncryptionConfiguration, the backup reports the Secrets as not encrypted at rest', async () => {
    const plainEtcd = await startEtcd({ pki, name: 'etcd-plain' })
    const plain = await startKubeApiserver({ bin, kubePki, etcd: plainEtcd, dir, name: 'kube-apiserver-plain' })
    await call(
      plain,
      'POST',
      '/api/v1/namespaces',
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } },
      201
    )
    for (let i = 0; i < 5; i++)
      await call(
        plain,
        'POST',
        '/api/v1/namespaces/plain/secrets',
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}` }, stringData: { token: `t-${i}` } },
        201
      )
    const stored = await readAll(plainEtcd, { prefix: '/registry/secrets/plain/' })
    for (const v of stored.values()) expect(v.subarray(0, 4)).toEqual(Buffer.from('k8s\0'))
    const secrets = (await listItems(plain, '/api/v1/secrets')).length
    const { main } = await runAction({
      inputs: {
        endpoints: plainEtcd.clientUrl,
        cacert: pki.caCert,
        cert: pki.clientCert,
        key: pki.clientKey,
        recipients: recipient,
        'artifact-name': 'runbook-plain',
        'required-keys': '/registry/secrets/plain/s-4',
        etcdctl: ETCDCTL_BIN,
        etcdutl: ETCDUTL_BIN ?? ''
      },
      env: service.env
    })
    if (main.code !== 0) throw new Error(`backup failed: ${main.error}\n${main.log}`)
    expect(main.summary).toContain(`${secrets} Secrets, ${secrets} NOT encrypted at rest`)
    expect(main.log).toContain(`${secrets} of ${secrets} Secrets are stored unencrypted`)
    const artifact = service.artifacts().find(a => a.name === 'runbook-plain')
    const m = JSON.parse(service.readZipEntries(artifact!.id).get('manifest.json')!.toString()) as Manifest
    expect(m.kubernetes.secrets).toEqual({ total: secrets, encrypted: 0, plaintext: secrets })
    expect(m.kubernetes.encryptedResources).toEqual({})
    await plain.stop()
    await plainEtcd.stop()
  }, 300_000)
})
