/**
 * etcd's schema inside the bbolt file (the same in 3.4, 3.5 and 3.6): which buckets exist, how revision keys and
 * mvccpb.KeyValue values are encoded, and what the small bookkeeping buckets hold.
 */
import {
  checkMessage,
  decodeVarint64,
  readVarint,
  varint,
  varintProblem,
  WIRE_LEN,
  WIRE_VARINT,
  type FieldRule,
  type MessageFields
} from '../wire/protobuf.js'
import { quoted } from './printable.js'

export const KEY_BUCKET = 'key'
export const META_BUCKET = 'meta'
export const LEASE_BUCKET = 'lease'

/** Every top-level bucket etcd 3.4–3.6 creates (server/storage/schema/bucket.go). */
export const ETCD_BUCKETS: readonly string[] = [
  'key',
  'meta',
  'lease',
  'alarm',
  'cluster',
  'members',
  'members_removed',
  'auth',
  'authUsers',
  'authRoles'
]
/** Buckets every etcd data file has: without them it is not an etcd backend. */
export const REQUIRED_BUCKETS: readonly string[] = ['key', 'meta']

/** A revision key: 8-byte big-endian main, '_', 8-byte big-endian sub, and 't' for a tombstone. */
export const REVISION_KEY_SIZE = 17
export const TOMBSTONE_KEY_SIZE = 18
const REVISION_SEPARATOR = 0x5f // '_'
const TOMBSTONE_MARK = 0x74 // 't'

/** Parsed revision key (module-level result to keep the hot loop allocation-free). */
export const revisionKey = { main: 0, sub: 0, tombstone: false }

function readBigEndian63(bytes: Uint8Array, off: number): number {
  const hi = ((bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!) >>> 0
  const lo = ((bytes[off + 4]! << 24) | (bytes[off + 5]! << 16) | (bytes[off + 6]! << 8) | bytes[off + 7]!) >>> 0
  if (hi >= 0x200000) return -1
  return hi * 0x100000000 + lo
}

/** Parse a `key` bucket key into revisionKey; returns a problem or ''. */
export function parseRevisionKey(bytes: Uint8Array, off: number, len: number): string {
  if (len !== REVISION_KEY_SIZE && len !== TOMBSTONE_KEY_SIZE) {
    return `revision key is ${len} bytes, expected 17 (or 18 for a tombstone)`
  }
  if (bytes[off + 8] !== REVISION_SEPARATOR) return `revision key byte 8 is ${bytes[off + 8]}, expected '_'`
  if (len === TOMBSTONE_KEY_SIZE && bytes[off + 17] !== TOMBSTONE_MARK) {
    return `18-byte revision key ends in ${bytes[off + 17]}, expected 't' (tombstone mark)`
  }
  const main = readBigEndian63(bytes, off)
  const sub = readBigEndian63(bytes, off + 9)
  if (main < 1) return main < 0 ? 'main revision out of range' : 'main revision 0 (revisions start at 1)'
  if (sub < 0) return 'sub revision out of range'
  revisionKey.main = main
  revisionKey.sub = sub
  revisionKey.tombstone = len === TOMBSTONE_KEY_SIZE
  return ''
}

/** The fields of an mvccpb.KeyValue (module-level result, reused). */
export const keyValue = {
  keyOff: 0,
  keyLen: 0,
  createRevision: 0,
  modRevision: 0,
  version: 0,
  valueOff: 0,
  valueLen: 0,
  /** Lease id present (any non-zero int64). */
  hasLease: false,
  /** Number of fields present, for the tombstone check. */
  fields: 0
}

const KV_TAGS = [0, 0x0a, 0x10, 0x18, 0x20, 0x2a, 0x30]

/**
 * Decode an mvccpb.KeyValue {key=1 bytes, create_revision=2, mod_revision=3, version=4 int64, value=5 bytes,
 * lease=6 int64} strictly (gogo order, no zero/empty fields, minimal varints). Returns a problem or ''.
 */
export function decodeKeyValue(bytes: Uint8Array, start: number, end: number): string {
  const kv = keyValue
  kv.keyLen = 0
  kv.createRevision = 0
  kv.modRevision = 0
  kv.version = 0
  kv.valueLen = 0
  kv.hasLease = false
  kv.fields = 0
  let pos = start
  let last = 0
  while (pos < end) {
    const at = pos - start
    const tag = bytes[pos]!
    // Every KeyValue tag is one byte; find its field number from the table.
    const n = tag >> 3
    if (n < 1 || n > 6 || KV_TAGS[n] !== tag)
      return `KeyValue: unexpected tag 0x${tag.toString(16)} at value byte ${at}`
    if (n <= last) return `KeyValue: field ${n} after field ${last} at value byte ${at} (out of order or repeated)`
    last = n
    kv.fields++
    pos = readVarint(bytes, pos + 1, end)
    if (pos < 0) return `KeyValue: ${varintProblem(pos)} in field ${n} at value byte ${at}`
    const v = varint.value
    if (n === 1 || n === 5) {
      if (!varint.exact || v > end - pos)
        return `KeyValue: field ${n} length ${v} runs past the value's end (value byte ${at})`
      if (v === 0) return `KeyValue: empty field ${n} at value byte ${at} (etcd omits empty fields)`
      if (n === 1) {
        kv.keyOff = pos
        kv.keyLen = v
      } else {
        kv.valueOff = pos
        kv.valueLen = v
      }
      pos += v
    } else {
      if (v === 0) return `KeyValue: zero field ${n} at value byte ${at} (etcd omits zero fields)`
      if (n === 6) {
        kv.hasLease = true
      } else {
        if (!varint.exact)
          return `KeyValue: field ${n} value out of range (negative or beyond 2^53) at value byte ${at}`
        if (n === 2) kv.createRevision = v
        else if (n === 3) kv.modRevision = v
        else kv.version = v
      }
    }
  }
  if (kv.keyLen === 0) return 'KeyValue: no key field'
  return ''
}

// ---------------------------------------------------------------------------------------------------------------
// The small buckets

const LEASE: FieldRule[] = [
  { n: 1, wire: WIRE_VARINT },
  { n: 2, wire: WIRE_VARINT },
  { n: 3, wire: WIRE_VARINT }
]
const PERMISSION: FieldRule[] = [
  { n: 1, wire: WIRE_VARINT, max: 2 },
  { n: 2, wire: WIRE_LEN },
  { n: 3, wire: WIRE_LEN }
]
const ROLE: FieldRule[] = [
  { n: 1, wire: WIRE_LEN },
  { n: 2, wire: WIRE_LEN, repeated: true, message: PERMISSION }
]
const USER_OPTIONS: FieldRule[] = [{ n: 1, wire: WIRE_VARINT, max: 1 }]
const USER: FieldRule[] = [
  { n: 1, wire: WIRE_LEN },
  { n: 2, wire: WIRE_LEN },
  { n: 3, wire: WIRE_LEN, repeated: true },
  { n: 4, wire: WIRE_LEN, message: USER_OPTIONS }
]
const ALARM_MEMBER: FieldRule[] = [
  { n: 1, wire: WIRE_VARINT },
  { n: 2, wire: WIRE_VARINT, max: 2 }
]

const latin1 = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1')
const utf8 = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8')

function sameBytes(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false
  for (let i = 0; i < aEnd - aStart; i++) if (bytes[aStart + i] !== bytes[bStart + i]) return false
  return true
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function fixedLength(len: number, want: number, what: string): string {
  return len === want ? '' : `${what} is ${len} bytes, expected ${want}`
}

/** Meta values that matter elsewhere (compaction revisions, consistent index). */
export interface MetaValues {
  consistentIndex?: number
  term?: number
  scheduledCompactRevision?: number
  finishedCompactRevision?: number
  storageVersion?: string
}

/** Facts from the small buckets worth reporting. */
export interface BookkeepingFacts {
  meta: MetaValues
  clusterVersion?: string
  authEnabled?: boolean
  authRevision?: number
  leases: number
  members: number
  removedMembers: number
  users: number
  roles: number
  alarms: number
}

function readBigEndianU64(bytes: Uint8Array, off: number): number {
  return readBigEndian63(bytes, off)
}

/**
 * Check one entry of a bookkeeping bucket (everything but `key`); returns a problem or ''. Records facts.
 * Unknown keys are damage: every key etcd 3.4–3.6 writes is listed here.
 */
export function checkBookkeepingEntry(
  bucket: string,
  bytes: Uint8Array,
  kStart: number,
  kLen: number,
  vStart: number,
  vLen: number,
  facts: BookkeepingFacts
): string {
  const kEnd = kStart + kLen
  const vEnd = vStart + vLen
  const key = latin1(bytes, kStart, kEnd)
  switch (bucket) {
    case 'meta': {
      const meta = facts.meta
      switch (key) {
        case 'consistent_index':
        case 'term': {
          const p = fixedLength(vLen, 8, `meta ${key}`)
          if (p) return p
          const v = readBigEndianU64(bytes, vStart)
          if (v < 0) return `meta ${key} is out of range`
          if (key === 'term') meta.term = v
          else meta.consistentIndex = v
          return ''
        }
        case 'scheduledCompactRev':
        case 'finishedCompactRev': {
          const p = fixedLength(vLen, REVISION_KEY_SIZE, `meta ${key}`)
          if (p) return p
          const problem = parseRevisionKey(bytes, vStart, vLen)
          if (problem) return `meta ${key}: ${problem}`
          if (revisionKey.sub !== 0) return `meta ${key} has sub revision ${revisionKey.sub}, expected 0`
          if (key === 'scheduledCompactRev') meta.scheduledCompactRevision = revisionKey.main
          else meta.finishedCompactRevision = revisionKey.main
          return ''
        }
        case 'confState':
          return isJson(utf8(bytes, vStart, vEnd)) ? '' : 'meta confState is not JSON'
        case 'storageVersion': {
          const v = latin1(bytes, vStart, vEnd)
          if (!/^\d+\.\d+(\.\d+)?$/.test(v)) return `meta storageVersion ${quoted(v)} is not a version`
          meta.storageVersion = v
          return ''
        }
        default:
          return `unknown meta key ${quoted(key)}`
      }
    }
    case 'lease': {
      if (kLen !== 8) return `lease key is ${kLen} bytes, expected an 8-byte lease id`
      const found: MessageFields = { bytes: new Map(), values: new Map() }
      const problem = checkMessage(bytes, vStart, vEnd, LEASE, found)
      if (problem) return `lease value: ${problem}`
      // The lease id field must encode the same int64 as the key.
      const idPos = vStart + 1
      if (vLen === 0 || bytes[vStart] !== 0x08) return 'lease value has no ID field'
      const after = readVarint(bytes, idPos, vEnd)
      if (after < 0) return 'lease ID unreadable'
      if (!sameLeaseId(bytes, kStart, idPos)) return 'lease value ID differs from its key'
      facts.leases++
      return ''
    }
    case 'alarm': {
      if (vLen !== 0) return `alarm value is ${vLen} bytes, expected empty`
      const problem = checkMessage(bytes, kStart, kEnd, ALARM_MEMBER)
      if (problem) return `alarm key: ${problem}`
      facts.alarms++
      return ''
    }
    case 'cluster': {
      const v = latin1(bytes, vStart, vEnd)
      if (key === 'clusterVersion') {
        if (!/^\d+\.\d+\.\d+$/.test(v)) return `cluster version ${quoted(v)} is not a version`
        facts.clusterVersion = v
        return ''
      }
      if (key === 'downgrade') return isJson(utf8(bytes, vStart, vEnd)) ? '' : 'cluster downgrade info is not JSON'
      return `unknown cluster key ${quoted(key)}`
    }
    case 'members': {
      if (!/^[0-9a-f]{1,16}$/.test(key)) return `member key ${quoted(key)} is not a hex member id`
      const text = utf8(bytes, vStart, vEnd)
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        return `member ${key}: value is not JSON`
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return `member ${key}: value is not a JSON object`
      // JSON numbers lose precision past 2^53, so compare the id as written.
      const id = /"id":(\d+)/.exec(text)
      if (!id || BigInt(id[1]!) !== BigInt(`0x${key}`)) return `member ${key}: id in the value does not match the key`
      facts.members++
      return ''
    }
    case 'members_removed': {
      if (!/^[0-9a-f]{1,16}$/.test(key)) return `removed-member key ${quoted(key)} is not a hex member id`
      if (latin1(bytes, vStart, vEnd) !== 'removed') return `removed member ${key}: value is not "removed"`
      facts.removedMembers++
      return ''
    }
    case 'auth': {
      if (key === 'authEnabled') {
        if (vLen !== 1 || bytes[vStart]! > 1) return 'auth authEnabled is not a single 0/1 byte'
        facts.authEnabled = bytes[vStart] === 1
        return ''
      }
      if (key === 'authRevision') {
        const p = fixedLength(vLen, 8, 'auth authRevision')
        if (p) return p
        facts.authRevision = readBigEndianU64(bytes, vStart)
        return ''
      }
      return `unknown auth key ${quoted(key)}`
    }
    case 'authUsers':
    case 'authRoles': {
      const found: MessageFields = { bytes: new Map(), values: new Map() }
      const rules = bucket === 'authUsers' ? USER : ROLE
      const what = bucket === 'authUsers' ? 'user' : 'role'
      const problem = checkMessage(bytes, vStart, vEnd, rules, found)
      if (problem) return `${what} ${quoted(key)}: ${problem}`
      const name = found.bytes.get(1)
      if (!name || !sameBytes(bytes, name[0], name[1], kStart, kEnd))
        return `${what} ${quoted(key)}: name field differs from the key`
      if (bucket === 'authUsers') facts.users++
      else facts.roles++
      return ''
    }
    default:
      return `unknown bucket ${quoted(bucket)}`
  }
}

/** Lease key (8-byte big-endian int64) vs the varint-encoded ID in the value. */
function sameLeaseId(bytes: Uint8Array, keyStart: number, idPos: number): boolean {
  let id = 0n
  for (let i = 0; i < 8; i++) id = (id << 8n) | BigInt(bytes[keyStart + i]!)
  return (decodeVarint64(bytes, idPos) & 0xffffffffffffffffn) === id
}
