/**
 * The key table under the live-keyspace count: fingerprints in, slots out, across partition growth. The Keyspace
 * replay itself is tested through verifySnapshot (verify.hostile.test.ts) and against real snapshots in e2e.
 */
import { describe, expect, it } from '@jest/globals'
import { fingerprint, fingerprintKey, KeyTable } from '../../../src/verify/keyspace.js'

/** The fingerprint of a key, as a pair (fingerprintKey leaves it in a shared result). */
function fp(key: string): [number, number] {
  const bytes = Buffer.from(`..${key}`)
  fingerprintKey(bytes, 2, bytes.length - 2)
  return [fingerprint.a, fingerprint.b]
}

describe('fingerprintKey', () => {
  it('depends on the key bytes only, not where they sit', () => {
    const bytes = Buffer.from('/registry/pods/a|/registry/pods/a')
    fingerprintKey(bytes, 0, 16)
    const first = [fingerprint.a, fingerprint.b]
    fingerprintKey(bytes, 17, 16)
    expect([fingerprint.a, fingerprint.b]).toEqual(first)
    expect(fp('/registry/pods/a')).toEqual(first)
    expect(fp('/registry/pods/b')).not.toEqual(first)
  })
})

describe('KeyTable', () => {
  it('gives each distinct key one slot, finds every key again after the table grows, and counts them', () => {
    const table = new KeyTable(5) // the stride Keyspace uses when it keeps one record per key
    const keys = Array.from({ length: 50_000 }, (_, i) => `/registry/configmaps/ns-${i % 97}/cm-${i}`)
    for (const key of keys) {
      const [a, b] = fp(key)
      table.slot(a, b)
    }
    expect(table.size).toBe(keys.length)
    let lost = 0
    for (const key of keys) {
      const [a, b] = fp(key)
      const found = table.find(a, b)
      if (found < 0) lost++
      // Asking for a slot again adds nothing (the size stays below).
      table.slot(a, b)
    }
    expect(lost).toBe(0)
    expect(table.size).toBe(keys.length)
    expect(table.find(...fp('/registry/never/added'))).toBe(-1)
    let held = 0
    table.forEach(() => held++)
    expect(held).toBe(keys.length)
    expect(table.memoryBytes).toBeGreaterThan(keys.length * 5 * 4)
  })
})
