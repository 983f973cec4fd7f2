/** etcd's encodings inside the bbolt file: revision keys, mvccpb.KeyValue, and the small bookkeeping buckets. */
import { describe, expect, it } from '@jest/globals'
import { lengthField, varintField } from '../../../src/wire/protobuf.js'
import {
  checkBookkeepingEntry,
  decodeKeyValue,
  keyValue,
  parseRevisionKey,
  revisionKey,
  type BookkeepingFacts
} from '../../../src/verify/schema.js'

function revKey(main: number, sub = 0, tombstone = false): Buffer {
  const b = Buffer.alloc(tombstone ? 18 : 17)
  b.writeBigUInt64BE(BigInt(main), 0)
  b[8] = 0x5f
  b.writeBigUInt64BE(BigInt(sub), 9)
  if (tombstone) b[17] = 0x74
  return b
}

describe('parseRevisionKey', () => {
  it('reads main, sub and the tombstone mark', () => {
    expect(parseRevisionKey(revKey(42, 3), 0, 17)).toBe('')
    expect({ ...revisionKey }).toEqual({ main: 42, sub: 3, tombstone: false })
    const withPrefix = Buffer.concat([Buffer.from('xx'), revKey(7, 0, true)])
    expect(parseRevisionKey(withPrefix, 2, 18)).toBe('')
    expect({ ...revisionKey }).toEqual({ main: 7, sub: 0, tombstone: true })
  })

  it('names what is wrong with a damaged key', () => {
    expect(parseRevisionKey(Buffer.alloc(16), 0, 16)).toBe(
      'revision key is 16 bytes, expected 17 (or 18 for a tombstone)'
    )
    const noSeparator = revKey(1)
    noSeparator[8] = 0x2d
    expect(parseRevisionKey(noSeparator, 0, 17)).toBe("revision key byte 8 is 45, expected '_'")
    const badMark = revKey(1, 0, true)
    badMark[17] = 0x78
    expect(parseRevisionKey(badMark, 0, 18)).toBe("18-byte revision key ends in 120, expected 't' (tombstone mark)")
    expect(parseRevisionKey(revKey(0), 0, 17)).toBe('main revision 0 (revisions start at 1)')
    const huge = revKey(1)
    huge.writeBigUInt64BE(2n ** 63n, 0)
    expect(parseRevisionKey(huge, 0, 17)).toBe('main revision out of range')
  })
})

describe('decodeKeyValue', () => {
  const kv = (...fields: Buffer[]): Buffer => Buffer.concat(fields)

  it('reads the fields of a KeyValue as gogo-protobuf writes it', () => {
    const value = kv(
      lengthField(1, '/registry/pods/a'),
      varintField(2, 5),
      varintField(3, 9),
      varintField(4, 2),
      lengthField(5, 'v'),
      varintField(6, 77)
    )
    expect(decodeKeyValue(value, 0, value.length)).toBe('')
    expect(value.toString('latin1', keyValue.keyOff, keyValue.keyOff + keyValue.keyLen)).toBe('/registry/pods/a')
    expect([keyValue.createRevision, keyValue.modRevision, keyValue.version]).toEqual([5, 9, 2])
    expect(value.toString('latin1', keyValue.valueOff, keyValue.valueOff + keyValue.valueLen)).toBe('v')
    expect(keyValue.hasLease).toBe(true)
    expect(keyValue.fields).toBe(6)
  })

  it('refuses what etcd never writes', () => {
    const check = (value: Buffer): string => decodeKeyValue(value, 0, value.length)
    expect(check(kv(varintField(3, 1), lengthField(1, 'k')))).toBe(
      'KeyValue: field 1 after field 3 at value byte 2 (out of order or repeated)'
    )
    expect(check(kv(lengthField(1, 'k'), Buffer.from([0x10, 0x00])))).toBe(
      'KeyValue: zero field 2 at value byte 3 (etcd omits zero fields)'
    )
    expect(check(Buffer.from([0x0a, 0x00]))).toBe('KeyValue: empty field 1 at value byte 0 (etcd omits empty fields)')
    expect(check(Buffer.from([0x0a, 0x09, 0x41]))).toBe(
      "KeyValue: field 1 length 9 runs past the value's end (value byte 0)"
    )
    expect(check(Buffer.from([0x38, 0x01]))).toBe('KeyValue: unexpected tag 0x38 at value byte 0')
    expect(check(varintField(2, 1))).toBe('KeyValue: no key field')
  })
})

describe('checkBookkeepingEntry', () => {
  const facts = (): BookkeepingFacts => ({
    meta: {},
    leases: 0,
    members: 0,
    removedMembers: 0,
    users: 0,
    roles: 0,
    alarms: 0
  })
  /** Checks key → value in `bucket`, with the key and value laid out one after the other in one buffer. */
  function check(bucket: string, key: Buffer | string, value: Buffer | string, f = facts()): string {
    const k = Buffer.from(key)
    const v = Buffer.from(value)
    return checkBookkeepingEntry(bucket, Buffer.concat([k, v]), 0, k.length, k.length, v.length, f)
  }
  const u64 = (n: number): Buffer => {
    const b = Buffer.alloc(8)
    b.writeBigUInt64BE(BigInt(n))
    return b
  }

  it('records the meta values and refuses unknown meta keys', () => {
    const f = facts()
    expect(check('meta', 'consistent_index', u64(1234), f)).toBe('')
    expect(check('meta', 'term', u64(3), f)).toBe('')
    expect(check('meta', 'finishedCompactRev', revKey(900), f)).toBe('')
    expect(check('meta', 'storageVersion', '3.6', f)).toBe('')
    expect(f.meta).toEqual({ consistentIndex: 1234, term: 3, finishedCompactRevision: 900, storageVersion: '3.6' })
    expect(check('meta', 'term', Buffer.alloc(4))).toBe('meta term is 4 bytes, expected 8')
    expect(check('meta', 'scheduledCompactRev', revKey(5, 1))).toBe(
      'meta scheduledCompactRev has sub revision 1, expected 0'
    )
    expect(check('meta', 'confState', '{not json')).toBe('meta confState is not JSON')
    expect(check('meta', 'surprise', 'x')).toBe('unknown meta key "surprise"')
  })

  it('checks members, removed members and the cluster version', () => {
    const f = facts()
    expect(check('members', 'a1b2', '{"id":41394,"peerURLs":["https://10.0.0.1:2380"]}', f)).toBe('')
    expect(check('members_removed', 'ff', 'removed', f)).toBe('')
    expect(check('cluster', 'clusterVersion', '3.6.0', f)).toBe('')
    expect([f.members, f.removedMembers, f.clusterVersion]).toEqual([1, 1, '3.6.0'])
    expect(check('members', 'a1b2', '{"id":1}')).toBe('member a1b2: id in the value does not match the key')
    expect(check('members', 'node-1', '{}')).toBe('member key "node-1" is not a hex member id')
    expect(check('cluster', 'clusterVersion', '3.6')).toBe('cluster version "3.6" is not a version')
  })

  it('checks leases against their key, auth flags and users by name', () => {
    const f = facts()
    expect(check('lease', u64(300), kv(varintField(1, 300), varintField(2, 60)), f)).toBe('')
    expect(check('lease', u64(301), kv(varintField(1, 300), varintField(2, 60)))).toBe(
      'lease value ID differs from its key'
    )
    expect(check('auth', 'authEnabled', Buffer.from([1]), f)).toBe('')
    expect(check('authUsers', 'root', kv(lengthField(1, 'root'), lengthField(2, 'hash')), f)).toBe('')
    expect(check('authUsers', 'root', kv(lengthField(1, 'admin')))).toBe('user "root": name field differs from the key')
    expect([f.leases, f.authEnabled, f.users]).toEqual([1, true, 1])
    expect(check('auth', 'authEnabled', Buffer.from([2]))).toBe('auth authEnabled is not a single 0/1 byte')
  })

  it('refuses an unknown bucket, with its name shown safely', () => {
    expect(check('evil\x1b[2J', 'k', 'v')).toBe('unknown bucket "evil\\x1b[2J"')
  })

  function kv(...parts: Buffer[]): Buffer {
    return Buffer.concat(parts)
  }
})
