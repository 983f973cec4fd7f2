/** Checks on a restored etcd data dir: boot real etcd on it and compare every key and value with the source's. */
import { expect } from '@jest/globals'
import { startEtcd } from './etcd.js'
import type { Pki } from './pki.js'
import { readAll } from './seed.js'

/** Boots etcd on `dataDir` (with TLS when given a PKI), and expects it to serve exactly `source`, byte for byte. */
export async function expectDataDirServes(dataDir: string, source: Map<string, Buffer>, pki?: Pki): Promise<void> {
  const restored = await startEtcd({ pki, dataDir })
  try {
    const got = await readAll(restored)
    expect(got.size).toBe(source.size)
    for (const [key, value] of source) expect(got.get(key)?.equals(value)).toBe(true)
  } finally {
    await restored.stop()
  }
}
