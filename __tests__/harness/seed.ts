/**
 * Kubernetes-shaped test data: a deterministic generator of the keys and values an API server writes
 * (kubernetesEntries), and seedKubernetes to load it into a member through etcd-client.ts.
 */
import type { EtcdMember } from './etcd.js'
import { encodeVarint, lengthField } from '../../src/wire/protobuf.js'
import { putMany, type PutManyOptions } from './etcd-client.js'

// The client moved to etcd-client.ts; tests still import it from here.
export {
  addRole,
  addUser,
  authenticate,
  compact,
  countKeys,
  currentRevision,
  deleteKeys,
  deletePrefix,
  disableAuth,
  enableAuth,
  gateway,
  GatewayError,
  grantLease,
  prefixEnd,
  put,
  putMany,
  readAll,
  useCredentials,
  type Permission,
  type PutManyOptions,
  type PutResult,
  type ReadOptions
} from './etcd-client.js'

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes-shaped data

export type ValueSize = number | { min: number; max: number }

export interface KubernetesDataOptions {
  /** Total keys to generate (namespaces and cluster-scoped objects included). */
  objects: number
  /** Namespaces (default 8); always includes default, kube-system, kube-public, kube-node-lease. */
  namespaces?: number
  /** PRNG seed (default 1). Same options → byte-identical keys and values. */
  seed?: number
  /** Fixed size or range for every value instead of realistic per-resource sizes. */
  valueSize?: ValueSize
  /** Store secrets as `k8s:enc:aescbc:v1:key1:` + random bytes, like an EncryptionConfiguration would. */
  encryptSecrets?: boolean
  /** Fill the remaining budget only with these namespaced resources (default: a realistic mix). */
  resources?: NamespacedResource[]
  /**
   * Lease ID (as grantLease returns it) to bind every Event to, as kube-apiserver binds each Event to a lease of
   * --event-ttl. The Events are then written after the other objects.
   */
  eventLease?: string
}

export interface SeedResult {
  keys: number
  /** Sum of value lengths. */
  bytes: number
  /** Store revision after the last write. */
  revision: number
  /** Keys per resource (the path segment(s) after /registry/, e.g. "pods", "services/specs"). */
  byResource: Record<string, number>
  /** Namespace names, in creation order. */
  namespaces: string[]
}

/** The k8s protobuf envelope magic every stored (unencrypted) object starts with. */
export const K8S_PROTOBUF_MAGIC = Buffer.from('k8s\x00', 'latin1')
export const AESCBC_PREFIX = 'k8s:enc:aescbc:v1:key1:'

export type NamespacedResource =
  | 'pods'
  | 'configmaps'
  | 'secrets'
  | 'services/specs'
  | 'services/endpoints'
  | 'serviceaccounts'
  | 'deployments'
  | 'replicasets'
  | 'events'
  | 'leases'
  | 'rolebindings'

interface Kind {
  apiVersion: string
  kind: string
  /** Value size range in bytes; log-uniform when `skewed`. */
  min: number
  max: number
  skewed?: boolean
}

const KINDS: Record<string, Kind> = {
  namespaces: { apiVersion: 'v1', kind: 'Namespace', min: 300, max: 500 },
  pods: { apiVersion: 'v1', kind: 'Pod', min: 2000, max: 8000 },
  configmaps: { apiVersion: 'v1', kind: 'ConfigMap', min: 500, max: 50_000, skewed: true },
  secrets: { apiVersion: 'v1', kind: 'Secret', min: 1000, max: 4000 },
  'services/specs': { apiVersion: 'v1', kind: 'Service', min: 800, max: 2000 },
  'services/endpoints': { apiVersion: 'v1', kind: 'Endpoints', min: 400, max: 3000 },
  serviceaccounts: { apiVersion: 'v1', kind: 'ServiceAccount', min: 300, max: 600 },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment', min: 3000, max: 8000 },
  replicasets: { apiVersion: 'apps/v1', kind: 'ReplicaSet', min: 2000, max: 6000 },
  events: { apiVersion: 'v1', kind: 'Event', min: 700, max: 1400 },
  leases: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', min: 250, max: 450 },
  rolebindings: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', min: 500, max: 1000 },
  minions: { apiVersion: 'v1', kind: 'Node', min: 4000, max: 12_000 },
  clusterroles: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', min: 500, max: 4000 },
  clusterrolebindings: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', min: 400, max: 900 },
  'apiregistration.k8s.io/apiservices': {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    min: 600,
    max: 1000
  },
  priorityclasses: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', min: 250, max: 400 },
  ranges: { apiVersion: 'v1', kind: 'RangeAllocation', min: 200, max: 800 }
}

/** Relative frequency of namespaced objects in the bulk of a cluster. */
const MIX: [NamespacedResource, number][] = [
  ['pods', 24],
  ['events', 16],
  ['configmaps', 10],
  ['secrets', 12],
  ['replicasets', 10],
  ['serviceaccounts', 6],
  ['services/specs', 5],
  ['services/endpoints', 5],
  ['deployments', 6],
  ['rolebindings', 4],
  ['leases', 2]
]

const NODES = ['control-plane-1', 'control-plane-2', 'control-plane-3', 'worker-1', 'worker-2', 'worker-3']
const CLUSTER_SCOPED: [string, string[]][] = [
  [
    'clusterroles',
    [
      'admin',
      'cluster-admin',
      'edit',
      'view',
      'system:basic-user',
      'system:discovery',
      'system:node',
      'system:kube-scheduler',
      'system:kube-controller-manager',
      'system:controller:replicaset-controller'
    ]
  ],
  [
    'clusterrolebindings',
    [
      'cluster-admin',
      'kubeadm:get-nodes',
      'system:basic-user',
      'system:discovery',
      'system:kube-scheduler',
      'system:kube-controller-manager'
    ]
  ],
  [
    'apiregistration.k8s.io/apiservices',
    [
      'v1.',
      'v1.apps',
      'v1.batch',
      'v1.rbac.authorization.k8s.io',
      'v1.coordination.k8s.io',
      'v1.storage.k8s.io',
      'v1.networking.k8s.io',
      'v1beta1.metrics.k8s.io'
    ]
  ],
  ['priorityclasses', ['system-cluster-critical', 'system-node-critical']],
  ['ranges', ['serviceips', 'servicenodeports']],
  ['minions', NODES]
]
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']
const APP_WORDS = [
  'web',
  'api',
  'worker',
  'cache',
  'db',
  'auth',
  'billing',
  'search',
  'ingest',
  'metrics',
  'frontend',
  'backend',
  'gateway',
  'scheduler',
  'notifier',
  'reports',
  'payments',
  'catalog',
  'orders',
  'users'
]
const NS_WORDS = ['team', 'prod', 'staging', 'dev', 'platform', 'data', 'ml', 'ops', 'edge', 'shop']

// Strings that fill real objects (managedFields, container specs, status); the filler is built from these so
// values compress like real etcd data rather than like noise or like zeros.
const VOCAB = [
  'metadata',
  'managedFields',
  'FieldsV1',
  'f:metadata',
  'f:labels',
  'f:annotations',
  'f:spec',
  'f:status',
  'f:containers',
  'k:{"name":"',
  'f:image',
  'f:imagePullPolicy',
  'IfNotPresent',
  'Always',
  'terminationMessagePath',
  '/dev/termination-log',
  'terminationMessagePolicy',
  'File',
  'ClusterFirst',
  'default-scheduler',
  'RollingUpdate',
  'registry.k8s.io/',
  'docker.io/library/nginx:1.25.3',
  'ghcr.io/acme/',
  'Running',
  'Ready',
  'True',
  'False',
  'ContainersReady',
  'PodScheduled',
  'Initialized',
  'kube-api-access-',
  '/var/run/secrets/kubernetes.io/serviceaccount',
  'ca.crt',
  'namespace',
  'token',
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'NoExecute',
  'Exists',
  'TCP',
  'http',
  'containerPort',
  'resources',
  'requests',
  'limits',
  'cpu',
  'memory',
  '100m',
  '250m',
  '128Mi',
  '512Mi',
  'kube-controller-manager',
  'kubelet',
  'Update',
  'Apply',
  'v1',
  'apps/v1',
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  'Helm',
  'pod-template-hash',
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'livenessProbe',
  'readinessProbe',
  'httpGet',
  '/healthz',
  '/readyz',
  'periodSeconds',
  'successThreshold',
  'failureThreshold',
  'timeoutSeconds',
  'env',
  'valueFrom',
  'configMapKeyRef',
  'secretKeyRef',
  'volumeMounts',
  'mountPath',
  'readOnly',
  'projected',
  'serviceAccountToken',
  'expirationSeconds',
  'downwardAPI',
  'fieldRef',
  'fieldPath',
  'restartPolicy',
  'dnsPolicy',
  'schedulerName',
  'securityContext',
  'runAsNonRoot',
  'tolerations',
  'tolerationSeconds',
  'priority',
  'enableServiceLinks',
  'preemptionPolicy',
  'PreemptLowerPriority',
  'hostIP',
  'podIP',
  'podIPs',
  'startTime',
  'containerStatuses',
  'lastState',
  'state',
  'running',
  'startedAt',
  'imageID',
  'containerID',
  'containerd://',
  'sha256:',
  'restartCount',
  'started',
  'qosClass',
  'Burstable',
  'BestEffort',
  'ReplicaSet',
  'controller',
  'blockOwnerDeletion',
  'ownerReferences',
  'kind',
  'uid',
  'generation',
  'observedGeneration',
  'replicas',
  'readyReplicas',
  'availableReplicas',
  'selector',
  'matchLabels',
  'template',
  'strategy',
  'maxUnavailable',
  'maxSurge',
  '25%',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
  'deployment.kubernetes.io/revision',
  'Scheduled',
  'Pulled',
  'Created',
  'Started',
  'Killing',
  'BackOff',
  'Successfully assigned',
  'Container image already present on machine',
  'Normal',
  'Warning',
  'reportingComponent',
  'ClusterIP',
  'SingleStack',
  'IPv4',
  'sessionAffinity',
  'None',
  'targetPort',
  'ipFamilies',
  'clusterIPs',
  'internalTrafficPolicy',
  'Cluster',
  'holderIdentity',
  'leaseDurationSeconds',
  'renewTime',
  'acquireTime'
]

/** sfc32: small, fast, deterministic; plenty for test data. */
function prng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed
  let b = 0x243f6a88 + seed
  let c = 0xb7e15162 ^ (seed * 31)
  let d = 1
  const next = (): number => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 16; i++) next()
  return next
}

class Rng {
  readonly u32: () => number
  constructor(seed: number) {
    this.u32 = prng(seed)
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + (this.u32() % (max - min + 1))
  }
  float(): number {
    return this.u32() / 0x1_0000_0000
  }
  pick<T>(list: readonly T[]): T {
    return list[this.u32() % list.length]!
  }
  alnum(n: number): string {
    const chars = 'bcdfghjklmnpqrstvwxz2456789'
    let s = ''
    for (let i = 0; i < n; i++) s += chars[this.u32() % chars.length]
    return s
  }
  hex(n: number): string {
    let s = ''
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0')
    return s.slice(0, n)
  }
  uuid(): string {
    const h = this.hex(32)
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
  }
  bytes(n: number): Buffer {
    const buf = Buffer.allocUnsafe(n + 4)
    for (let i = 0; i < n; i += 4) buf.writeUInt32LE(this.u32(), i)
    return buf.subarray(0, n)
  }
}

/** A length-delimited protobuf field. */
const field = lengthField

/** ~256 KiB of protobuf-ish Kubernetes text that fillers are cut from. */
function buildCorpus(rng: Rng): Buffer {
  const parts: Buffer[] = []
  let size = 0
  while (size < 256 * 1024) {
    const n = rng.int(1, 6)
    const words: string[] = []
    for (let i = 0; i < n; i++) words.push(rng.pick(VOCAB))
    if (rng.float() < 0.25) words.push(String(rng.int(0, 65535)))
    const b = field(rng.int(1, 15), words.join(rng.float() < 0.5 ? '' : '-'))
    parts.push(b)
    size += b.length
  }
  return Buffer.concat(parts)
}

/** Filler of exactly n bytes: corpus slices interleaved with short random tokens (hashes, IPs, timestamps). */
function filler(rng: Rng, corpus: Buffer, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  let at = 0
  while (at < n) {
    const len = Math.min(rng.int(24, 160), n - at)
    const from = rng.int(0, corpus.length - len)
    corpus.copy(out, at, from, from + len)
    at += len
    if (at < n) at += out.write(rng.u32() % 3 === 0 ? rng.hex(12) : rng.alnum(6), at, 'latin1')
  }
  return out
}

function sizeFor(rng: Rng, kind: Kind, override: ValueSize | undefined): number {
  if (typeof override === 'number') return override
  const { min, max } = override ?? kind
  if (kind.skewed && !override)
    return Math.round(Math.exp(Math.log(min) + rng.float() * (Math.log(max) - Math.log(min))))
  return rng.int(min, max)
}

/** Encode one object as the API server would store it: k8s\0 + runtime.Unknown{typeMeta, raw, "", ""}. */
function encodeObject(
  rng: Rng,
  corpus: Buffer,
  kind: Kind,
  name: string,
  namespace: string | undefined,
  size: number
): Buffer {
  const meta = Buffer.concat([
    field(1, name),
    namespace ? field(3, namespace) : Buffer.alloc(0),
    field(5, rng.uuid()),
    field(8, Buffer.concat([Buffer.from([0x08]), encodeVarint(1_700_000_000 + rng.int(0, 50_000_000))]))
  ])
  const typeMeta = Buffer.concat([field(1, kind.apiVersion), field(2, kind.kind)])
  const head = Buffer.concat([K8S_PROTOBUF_MAGIC, field(1, typeMeta)])
  const tail = Buffer.from([0x1a, 0x00, 0x22, 0x00])
  const metaField = field(1, meta)
  // Overhead of the raw and spec field headers is ≤ 8 bytes; aim the filler so the total lands near `size`.
  const fill = Math.max(0, size - head.length - tail.length - metaField.length - 8)
  const raw = Buffer.concat([metaField, field(2, filler(rng, corpus, fill))])
  return Buffer.concat([head, field(2, raw), tail])
}

/** Stable, unique, realistic-looking name from a per-resource counter (bijective scramble into 5 base-27 chars). */
function objectName(rng: Rng, resource: string, counter: number): string {
  const chars = 'bcdfghjklmnpqrstvwxz2456789'
  let x = (counter * 2_654_435_761) % 27 ** 5
  let suffix = ''
  for (let i = 0; i < 5; i++) {
    suffix += chars[x % 27]
    x = Math.floor(x / 27)
  }
  const app = rng.pick(APP_WORDS)
  // Beyond 27^5 objects of one resource the counter goes into the name plainly, keeping names unique.
  const extra = counter >= 27 ** 5 ? `-${counter.toString(36)}` : ''
  switch (resource) {
    case 'pods':
      return `${app}-${rng.alnum(10)}-${suffix}${extra}`
    case 'replicasets':
      return `${app}-${rng.alnum(5)}${suffix}${extra}`
    case 'events':
      return `${app}-${rng.alnum(5)}-${suffix}${extra}.${rng.hex(16)}`
    case 'secrets':
      return `${app}-${rng.pick(['tls', 'credentials', 'token', 'env', 'config'])}-${suffix}${extra}`
    default:
      return `${app}-${suffix}${extra}`
  }
}

/**
 * Deterministic Kubernetes-shaped entries ([key, value]), exactly `objects` of them (if objects is smaller than the
 * fixed base of namespaces and cluster-scoped objects, the first `objects` of that base). Keys follow the API
 * server's layout: /registry/<resource>/<namespace>/<name>, services under /registry/services/specs|endpoints,
 * nodes under /registry/minions, node leases under /registry/leases/kube-node-lease.
 */
export function* kubernetesEntries(opts: KubernetesDataOptions): Generator<[string, Buffer]> {
  const rng = new Rng(opts.seed ?? 1)
  const corpus = buildCorpus(rng)
  const namespaces = namespaceNames(opts)
  const counters = new Map<string, number>()
  let emitted = 0
  const make = (resource: string, name: string, ns: string | undefined): [string, Buffer] => {
    const kind = KINDS[resource]!
    const key = ns ? `/registry/${resource}/${ns}/${name}` : `/registry/${resource}/${name}`
    const size = sizeFor(rng, kind, opts.valueSize)
    let value: Buffer
    if (resource === 'secrets' && opts.encryptSecrets) {
      // aescbc: IV + ciphertext in whole AES blocks; random bytes are the honest stand-in (incompressible).
      const body = Math.max(32, Math.ceil((size - AESCBC_PREFIX.length) / 16) * 16)
      value = Buffer.concat([Buffer.from(AESCBC_PREFIX), rng.bytes(body)])
    } else {
      value = encodeObject(rng, corpus, kind, name, ns, size)
    }
    emitted++
    return [key, value]
  }

  // Base: namespaces, cluster-scoped objects, node leases, per-namespace defaults (as a real cluster has).
  const base: (() => [string, Buffer])[] = []
  for (const ns of namespaces) base.push(() => make('namespaces', ns, undefined))
  for (const [resource, names] of CLUSTER_SCOPED) for (const n of names) base.push(() => make(resource, n, undefined))
  for (const node of NODES) base.push(() => make('leases', node, 'kube-node-lease'))
  for (const ns of namespaces) {
    base.push(() => make('serviceaccounts', 'default', ns))
    base.push(() => make('configmaps', 'kube-root-ca.crt', ns))
  }
  base.push(() => make('services/specs', 'kubernetes', 'default'))
  base.push(() => make('services/endpoints', 'kubernetes', 'default'))
  for (const lease of ['kube-controller-manager', 'kube-scheduler'])
    base.push(() => make('leases', lease, 'kube-system'))
  for (const produce of base) {
    if (emitted >= opts.objects) return
    yield produce()
  }

  const mix = opts.resources?.length ? MIX.filter(([r]) => opts.resources!.includes(r)) : MIX
  if (mix.length === 0) throw new Error(`no known resource in ${JSON.stringify(opts.resources)}`)
  const total = mix.reduce((s, [, w]) => s + w, 0)
  while (emitted < opts.objects) {
    let roll = rng.int(0, total - 1)
    let resource = mix[0]![0]
    for (const [r, w] of mix) {
      if (roll < w) {
        resource = r
        break
      }
      roll -= w
    }
    // kube-system and default get a larger share, like real clusters.
    const ns = rng.float() < 0.2 ? rng.pick(['kube-system', 'default']) : rng.pick(namespaces)
    const counter = counters.get(resource) ?? 0
    counters.set(resource, counter + 1)
    yield make(resource, objectName(rng, resource, counter), ns)
  }
}

function namespaceNames(opts: KubernetesDataOptions): string[] {
  const names = [...SYSTEM_NAMESPACES]
  const want = Math.max(opts.namespaces ?? 8, names.length)
  for (let i = 0; names.length < want; i++) {
    names.push(
      `${NS_WORDS[i % NS_WORDS.length]}-${APP_WORDS[Math.floor(i / NS_WORDS.length) % APP_WORDS.length]}${
        i >= NS_WORDS.length * APP_WORDS.length ? `-${i}` : ''
      }`
    )
  }
  return names
}

/** Resource part of a /registry key: "pods", "services/specs", "apiregistration.k8s.io/apiservices", ... */
export function resourceOf(key: string): string {
  const parts = key.split('/').slice(2)
  if (parts[0] === 'services' || parts[0]?.includes('.')) return `${parts[0]}/${parts[1]}`
  return parts[0] ?? ''
}

/** Write kubernetesEntries(opts) into the member; see KubernetesDataOptions. */
export async function seedKubernetes(
  member: EtcdMember,
  opts: KubernetesDataOptions & PutManyOptions
): Promise<SeedResult> {
  const byResource: Record<string, number> = {}
  function* counted(which: (resource: string) => boolean): Generator<[string, Buffer]> {
    for (const entry of kubernetesEntries(opts)) {
      const r = resourceOf(entry[0])
      if (!which(r)) continue
      byResource[r] = (byResource[r] ?? 0) + 1
      yield entry
    }
  }
  const put = { concurrency: opts.concurrency, lease: opts.lease, via: opts.via }
  if (!opts.eventLease)
    return {
      ...(await putMany(
        member,
        counted(() => true),
        put
      )),
      byResource,
      namespaces: namespaceNames(opts)
    }
  const rest = await putMany(
    member,
    counted(r => r !== 'events'),
    put
  )
  const events = await putMany(
    member,
    counted(r => r === 'events'),
    { ...put, lease: opts.eventLease }
  )
  return {
    keys: rest.keys + events.keys,
    bytes: rest.bytes + events.bytes,
    revision: Math.max(rest.revision, events.revision),
    byResource,
    namespaces: namespaceNames(opts)
  }
}
