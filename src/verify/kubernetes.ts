/**
 * What a backup of a Kubernetes cluster's etcd holds, from its live keys: objects per resource, namespaces, and
 * whether Secrets are encrypted at rest. The API server stores objects at
 * /registry/<resource>/[<namespace>/]<name>, with the API group as an extra segment for most non-core groups
 * (/registry/apiregistration.k8s.io/apiservices/<name>) and Services split into services/specs and
 * services/endpoints. Values written through an EncryptionConfiguration start with `k8s:enc:<provider>:`.
 */
import type { LiveKeyObserver } from './keyspace.js'

export interface KubernetesInventory {
  /** Live keys under /registry/. */
  objects: number
  /** Live objects per resource ("pods", "services/specs", "apiregistration.k8s.io/apiservices", ...), sorted. */
  resources: Record<string, number>
  /** Names of live namespaces (/registry/namespaces/<name>), sorted; at most 1000 listed. */
  namespaces: string[]
  namespaceCount: number
  /** Live namespaced objects per namespace (for the namespaces listed). */
  objectsPerNamespace: Record<string, number>
  secrets: {
    total: number
    /** Values starting with `k8s:enc:` (encrypted at rest by the API server). */
    encrypted: number
    /** Stored in plain text: anyone holding the decrypted backup can read them. */
    plaintext: number
  }
  /** Objects of any resource stored encrypted at rest, per resource. */
  encryptedResources: Record<string, number>
  /** Live keys outside /registry/ (not written by the Kubernetes API server). */
  otherKeys: number
}

const REGISTRY = new TextEncoder().encode('/registry/')
const MAX_NAMESPACES_LISTED = 1000

function startsWith(bytes: Uint8Array, start: number, len: number, prefix: Uint8Array): boolean {
  if (len < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false
  return true
}

/** Where a /registry key belongs; namespace is '' for cluster-scoped objects. */
interface Placement {
  resource: string
  namespace: string
  /** Set for /registry/namespaces/<name>. */
  namespaceObject: string
}

export function placeRegistryKey(path: string): Placement {
  const parts = path.split('/')
  let resource = parts[0] ?? ''
  let rest = parts.slice(1)
  if ((resource === 'services' || resource.includes('.')) && rest.length > 1) {
    resource = `${resource}/${rest[0]}`
    rest = rest.slice(1)
  }
  const namespace = rest.length >= 2 ? rest[0]! : ''
  const namespaceObject = resource === 'namespaces' && rest.length === 1 ? rest[0]! : ''
  return { resource, namespace, namespaceObject }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by
  if (n === 0) map.delete(key)
  else map.set(key, n)
}

function sortedRecord(map: Map<string, number>, keep?: (k: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {}
  for (const k of [...map.keys()].sort()) if (!keep || keep(k)) out[k] = map.get(k)!
  return out
}

/** Follows the live keyspace through the history and summarises it at the end. */
export class KubernetesTracker implements LiveKeyObserver {
  private objects = 0
  private otherKeys = 0
  private readonly resources = new Map<string, number>()
  private readonly perNamespace = new Map<string, number>()
  private readonly namespaces = new Set<string>()
  private readonly encrypted = new Map<string, number>()

  added(bytes: Uint8Array, keyStart: number, keyLen: number, encrypted: boolean): void {
    this.change(bytes, keyStart, keyLen, 1, encrypted ? 1 : 0)
  }

  removed(bytes: Uint8Array, keyStart: number, keyLen: number, wasEncrypted: boolean): void {
    this.change(bytes, keyStart, keyLen, -1, wasEncrypted ? -1 : 0)
  }

  reencrypted(bytes: Uint8Array, keyStart: number, keyLen: number, encrypted: boolean): void {
    this.change(bytes, keyStart, keyLen, 0, encrypted ? 1 : -1)
  }

  private change(bytes: Uint8Array, keyStart: number, keyLen: number, live: number, encrypted: number): void {
    if (!startsWith(bytes, keyStart, keyLen, REGISTRY)) {
      this.otherKeys += live
      return
    }
    const path = Buffer.from(
      bytes.buffer,
      bytes.byteOffset + keyStart + REGISTRY.length,
      keyLen - REGISTRY.length
    ).toString('utf8')
    const place = placeRegistryKey(path)
    if (live !== 0) {
      this.objects += live
      bump(this.resources, place.resource, live)
      if (place.namespace) bump(this.perNamespace, place.namespace, live)
      if (place.namespaceObject) {
        if (live > 0) this.namespaces.add(place.namespaceObject)
        else this.namespaces.delete(place.namespaceObject)
      }
    }
    if (encrypted !== 0) bump(this.encrypted, place.resource, encrypted)
  }

  inventory(): KubernetesInventory {
    const names = [...this.namespaces].sort()
    const listed = names.slice(0, MAX_NAMESPACES_LISTED)
    const listedSet = new Set(listed)
    const secrets = this.resources.get('secrets') ?? 0
    const encryptedSecrets = this.encrypted.get('secrets') ?? 0
    return {
      objects: this.objects,
      resources: sortedRecord(this.resources),
      namespaces: listed,
      namespaceCount: names.length,
      objectsPerNamespace: sortedRecord(this.perNamespace, k => listedSet.has(k)),
      secrets: { total: secrets, encrypted: encryptedSecrets, plaintext: secrets - encryptedSecrets },
      encryptedResources: sortedRecord(this.encrypted),
      otherKeys: this.otherKeys
    }
  }
}

/** Counts live keys under each required prefix (the `required-keys` input). */
export class RequiredPrefixes implements LiveKeyObserver {
  private readonly prefixes: Uint8Array[]
  readonly counts: number[]

  constructor(readonly required: readonly string[]) {
    this.prefixes = required.map(p => new TextEncoder().encode(p))
    this.counts = required.map(() => 0)
  }

  added(bytes: Uint8Array, keyStart: number, keyLen: number): void {
    this.change(bytes, keyStart, keyLen, 1)
  }

  removed(bytes: Uint8Array, keyStart: number, keyLen: number): void {
    this.change(bytes, keyStart, keyLen, -1)
  }

  reencrypted(): void {}

  private change(bytes: Uint8Array, keyStart: number, keyLen: number, by: number): void {
    for (let i = 0; i < this.prefixes.length; i++)
      if (startsWith(bytes, keyStart, keyLen, this.prefixes[i]!)) this.counts[i]! += by
  }

  /** Prefixes with no live key. */
  missing(): string[] {
    return this.required.filter((_, i) => this.counts[i] === 0)
  }
}
