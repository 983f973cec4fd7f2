/** format/: the manifest the backup writes and the restore reads, and the backup file's name. */
import { describe, expect, it } from '@jest/globals'
import { ManifestError } from '../../../src/errors.js'
import { backupFileName, isBackupFileName, plaintextName } from '../../../src/format/file-name.js'
import {
  buildManifest,
  MANIFEST_FORMAT,
  parseManifest,
  serializeManifest,
  type ManifestFacts
} from '../../../src/format/manifest.js'

const facts: ManifestFacts = {
  artifactName: 'nightly-1',
  fileName: 'nightly-1.db.zst.age',
  compression: 'zstd',
  encryption: { kind: 'age-recipients', recipients: [], recipientStrings: ['age1example'] },
  member: { endpoint: 'https://10.0.0.1:2379', clusterId: 'c1', memberId: 'm1', version: '3.6.5' },
  tools: { etcdctl: { version: '3.6.5' }, etcdutl: { version: '3.6.5' } },
  taken: {
    revisionBefore: 41,
    revisionAfter: 42,
    startedAt: new Date('2026-01-01T00:00:00.000Z'),
    finishedAt: new Date('2026-01-01T00:00:01.000Z')
  },
  file: { fileSize: 1000, fileSha256: 'f'.repeat(64), snapshotSize: 20512, snapshotTrailerSha256: 'a'.repeat(64) },
  status: { revision: 42, totalKey: 7, totalSize: 20480, hash: 123, tool: 'etcdutl' },
  native: {
    liveKeys: 5,
    compactRevision: -1,
    hashKV: { hash: 456, revision: 42, compactRevision: -1 },
    kubernetes: {
      objects: 0,
      resources: {},
      namespaces: [],
      namespaceCount: 0,
      objectsPerNamespace: {},
      secrets: { total: 0, encrypted: 0, plaintext: 0 },
      encryptedResources: {},
      otherKeys: 5
    }
  },
  hashKV: [{ endpoint: 'https://10.0.0.1:2379', outcome: 'match', hash: 456 }],
  finishedAt: new Date('2026-01-01T00:00:02.000Z')
}

describe('manifest.json', () => {
  it('is written with the v1 fields, in the order existing backups have them', () => {
    const manifest = buildManifest(facts)
    expect(Object.keys(manifest)).toEqual([
      'format',
      'artifactName',
      'file',
      'snapshot',
      'cluster',
      'kubernetes',
      'etcd',
      'startedAt',
      'snapshotFinishedAt',
      'finishedAt'
    ])
    expect(manifest.format).toBe('etcd-snapshot-action/manifest/v1')
    expect(manifest.file).toEqual({
      name: 'nightly-1.db.zst.age',
      size: 1000,
      sha256: 'f'.repeat(64),
      layers: ['etcd-snapshot', 'zstd', 'age'],
      compression: 'zstd',
      encryption: 'age-x25519',
      recipients: ['age1example']
    })
    expect(manifest.cluster).toEqual({
      hashKV: [{ endpoint: 'https://10.0.0.1:2379', outcome: 'match', hash: 456 }],
      restoreDrill: null
    })
    expect(manifest.snapshot.verifiedBy).toEqual(['native', 'etcdutl'])
    expect(manifest.etcd.etcdutlVersion).toBe('3.6.5')
    expect(serializeManifest(manifest).endsWith('}\n')).toBe(true)
  })

  it('reads back what a restore checks', () => {
    expect(parseManifest(serializeManifest(buildManifest(facts)))).toEqual({
      fileName: 'nightly-1.db.zst.age',
      fileSha256: 'f'.repeat(64),
      snapshotSize: 20512,
      snapshotSha256: 'a'.repeat(64),
      revision: 42
    })
  })

  it('reads a partial or hand-made manifest: only what it holds', () => {
    expect(parseManifest(JSON.stringify({ file: { name: 'x.db' } }))).toEqual({ fileName: 'x.db' })
    expect(parseManifest('{}')).toEqual({})
  })

  it.each([
    ['{', 'is not valid JSON'],
    ['[]', 'is not a JSON object'],
    [JSON.stringify({ format: 'etcd-snapshot-action/manifest/v2' }), `this release reads ${MANIFEST_FORMAT}`],
    [JSON.stringify({ file: 'x' }), 'has a file that is not an object'],
    [JSON.stringify({ file: { sha256: 12 } }), 'has file.sha256 12, not a string'],
    [JSON.stringify({ snapshot: { size: -1 } }), 'has snapshot.size -1, not a whole number']
  ])('refuses %s in one line', (text, message) => {
    expect(() => parseManifest(text)).toThrow(ManifestError)
    expect(() => parseManifest(text)).toThrow(message)
  })
})

describe('the backup file name', () => {
  it('says the layers', () => {
    expect(backupFileName('n', 'zstd', { kind: 'age-passphrase', passphrase: 'p' })).toBe('n.db.zst.age')
    expect(backupFileName('n', 'gzip', { kind: 'none' })).toBe('n.db.gz')
    expect(backupFileName('n', 'none', { kind: 'none' })).toBe('n.db')
    expect(['n.db', 'n.db.zst', 'n.db.gz.age'].every(isBackupFileName)).toBe(true)
    expect(isBackupFileName('n.zst')).toBe(false)
  })

  it('gives the snapshot a name without the layers', () => {
    expect(plaintextName('x.db.zst.age')).toBe('x.db')
    expect(plaintextName('x.db.gz')).toBe('x.db')
    expect(plaintextName('backup.age')).toBe('backup.db')
  })
})
