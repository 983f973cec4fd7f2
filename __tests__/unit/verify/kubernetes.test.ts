/** The inventory of a Kubernetes cluster's objects, followed through additions, deletions and re-encryption. */
import { describe, expect, it } from '@jest/globals'
import { KubernetesTracker, placeRegistryKey, RequiredPrefixes } from '../../../src/verify/kubernetes.js'

/** Feeds a key to an observer as the keyspace would: the key inside a larger buffer. */
function key(text: string): [Uint8Array, number, number] {
  const bytes = Buffer.from(`##${text}`)
  return [bytes, 2, bytes.length - 2]
}

describe('placeRegistryKey', () => {
  it('places namespaced, cluster-scoped, grouped and split resources', () => {
    expect(placeRegistryKey('pods/default/web-1')).toEqual({
      resource: 'pods',
      namespace: 'default',
      namespaceObject: ''
    })
    expect(placeRegistryKey('namespaces/kube-system')).toEqual({
      resource: 'namespaces',
      namespace: '',
      namespaceObject: 'kube-system'
    })
    expect(placeRegistryKey('apiregistration.k8s.io/apiservices/v1.apps')).toEqual({
      resource: 'apiregistration.k8s.io/apiservices',
      namespace: '',
      namespaceObject: ''
    })
    expect(placeRegistryKey('services/specs/default/kubernetes')).toEqual({
      resource: 'services/specs',
      namespace: 'default',
      namespaceObject: ''
    })
  })
})

describe('KubernetesTracker', () => {
  it('counts live objects per resource and namespace, and secrets stored in plain text', () => {
    const t = new KubernetesTracker()
    t.added(...key('/registry/namespaces/default'), false)
    t.added(...key('/registry/namespaces/shop'), false)
    t.added(...key('/registry/pods/shop/cart-1'), false)
    t.added(...key('/registry/pods/shop/cart-2'), false)
    t.added(...key('/registry/secrets/shop/db'), true)
    t.added(...key('/registry/secrets/shop/api'), false)
    t.added(...key('/app/config'), false)
    t.removed(...key('/registry/pods/shop/cart-2'), false)
    t.removed(...key('/registry/namespaces/default'), false)
    t.reencrypted(...key('/registry/secrets/shop/api'), true)
    expect(t.inventory()).toEqual({
      objects: 4,
      resources: { namespaces: 1, pods: 1, secrets: 2 },
      namespaces: ['shop'],
      namespaceCount: 1,
      objectsPerNamespace: { shop: 3 },
      secrets: { total: 2, encrypted: 2, plaintext: 0 },
      encryptedResources: { secrets: 2 },
      otherKeys: 1
    })
  })
})

describe('RequiredPrefixes', () => {
  it('reports the prefixes with no live key', () => {
    const r = new RequiredPrefixes(['/registry/namespaces/', '/registry/secrets/', '/app/'])
    r.added(...key('/registry/namespaces/default'))
    r.added(...key('/app/a'))
    r.removed(...key('/app/a'))
    expect(r.counts).toEqual([1, 0, 0])
    expect(r.missing()).toEqual(['/registry/secrets/', '/app/'])
  })
})
