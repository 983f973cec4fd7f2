/**
 * Strict protobuf reading for the messages etcd stores. etcd marshals with gogo-protobuf: fields in field-number
 * order, zero scalars and empty bytes omitted, minimal varints. Anything else in a stored value is damage, so the
 * reader rejects it instead of tolerating it the way a general-purpose decoder would.
 */

/** Result of the last readVarint: the value (exact below 2^53) and whether it is exact. */
export const varint = { value: 0, exact: true }

/**
 * Read a varint at bytes[pos] (not past `end`). Returns the position after it, or a negative code:
 * -1 truncated, -2 longer than 10 bytes or above 2^64, -3 not minimally encoded.
 */
export function readVarint(bytes: Uint8Array, pos: number, end: number): number {
  let b = pos < end ? bytes[pos]! : -1
  if (b < 0) return -1
  if (b < 0x80) {
    varint.value = b
    varint.exact = true
    return pos + 1
  }
  let value = b & 0x7f
  let scale = 128
  let i = pos + 1
  for (let n = 1; ; n++) {
    if (i >= end) return -1
    b = bytes[i++]!
    if (n === 9 && b > 1) return -2
    value += (b & 0x7f) * scale
    if (b < 0x80) {
      if (b === 0) return -3
      varint.value = value
      varint.exact = value <= Number.MAX_SAFE_INTEGER
      return i
    }
    if (n === 9) return -2
    scale *= 128
  }
}

export function varintProblem(code: number): string {
  if (code === -1) return 'truncated varint'
  if (code === -2) return 'varint longer than 10 bytes'
  return 'varint not minimally encoded'
}

export const WIRE_VARINT = 0
export const WIRE_LEN = 2

export interface FieldRule {
  /** Field number. */
  n: number
  wire: typeof WIRE_VARINT | typeof WIRE_LEN
  repeated?: boolean
  /** For a varint: largest allowed value (enums, bools). */
  max?: number
  /** For a length-delimited field holding a message. */
  message?: FieldRule[]
}

/** What checkMessage found: the byte ranges/values of singular fields by number (last wins). */
export interface MessageFields {
  /** field number → [start, end) of a length-delimited payload, or the varint value. */
  bytes: Map<number, [number, number]>
  values: Map<number, number>
}

/**
 * Check bytes[start, end) is a canonically encoded message of `rules`; returns a problem or ''. Fills `found` with
 * the top-level fields when given.
 */
export function checkMessage(
  bytes: Uint8Array,
  start: number,
  end: number,
  rules: FieldRule[],
  found?: MessageFields
): string {
  let pos = start
  let lastField = 0
  while (pos < end) {
    const tagAt = pos
    pos = readVarint(bytes, pos, end)
    if (pos < 0) return `${varintProblem(pos)} in a field tag at +${tagAt - start}`
    const tag = varint.value
    const n = Math.floor(tag / 8)
    const wire = tag % 8
    const rule = rules.find(r => r.n === n)
    if (!rule) return `unknown field ${n} (tag ${tag}) at +${tagAt - start}`
    if (rule.wire !== wire) return `field ${n} has wire type ${wire}, expected ${rule.wire}, at +${tagAt - start}`
    if (n < lastField || (n === lastField && !rule.repeated))
      return `field ${n} out of order or repeated at +${tagAt - start}`
    lastField = n
    pos = readVarint(bytes, pos, end)
    if (pos < 0) return `${varintProblem(pos)} in field ${n} at +${tagAt - start}`
    const v = varint.value
    if (wire === WIRE_VARINT) {
      if (v === 0 && !rule.repeated) return `field ${n} encodes a zero value (etcd omits those) at +${tagAt - start}`
      if (rule.max !== undefined && v > rule.max) return `field ${n} value ${v} is out of range at +${tagAt - start}`
      found?.values.set(n, v)
    } else {
      if (!varint.exact || v > end - pos) return `field ${n} length ${v} runs past the end at +${tagAt - start}`
      if (v === 0 && !rule.repeated && !rule.message)
        return `field ${n} is empty (etcd omits those) at +${tagAt - start}`
      if (rule.message) {
        const inner = checkMessage(bytes, pos, pos + v, rule.message)
        if (inner) return `in field ${n}: ${inner}`
      }
      found?.bytes.set(n, [pos, pos + v])
      pos += v
    }
  }
  return ''
}

/** The varint encoding of a non-negative integer: a number below 2^53, or a bigint below 2^64 (ids, raw values). */
export function encodeVarint(value: number | bigint): Buffer {
  let rest = BigInt(value)
  if (rest < 0n || rest >= 1n << 64n) throw new RangeError(`${value} does not fit a uint64 varint`)
  const bytes: number[] = []
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80)
    rest >>= 7n
  }
  bytes.push(Number(rest))
  return Buffer.from(bytes)
}

/** A varint field; proto3 leaves zero out, so a zero value encodes as nothing. */
export function varintField(n: number, value: number | bigint): Buffer {
  if (BigInt(value) === 0n) return Buffer.alloc(0)
  return Buffer.concat([encodeVarint(n * 8 + WIRE_VARINT), encodeVarint(value)])
}

/** A length-delimited field: bytes, a string (UTF-8) or an embedded message. */
export function lengthField(n: number, payload: Uint8Array | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
  return Buffer.concat([encodeVarint(n * 8 + WIRE_LEN), encodeVarint(bytes.length), bytes])
}

/** One field of a message as read by readFields: a varint's value, or the [start, end) of a length-delimited payload. */
export type ReadField =
  | { n: number; wire: typeof WIRE_VARINT; value: bigint }
  | { n: number; wire: typeof WIRE_LEN; start: number; end: number }

/**
 * The fields of a message a peer sent (a gRPC reply), in order, for the caller to pick from; unlike checkMessage it
 * skips fields and wire types it does not know, as protobuf requires of a reader. Throws on bytes that are not a
 * message.
 */
export function readFields(bytes: Uint8Array, start = 0, end = bytes.length): ReadField[] {
  const fields: ReadField[] = []
  let pos = start
  while (pos < end) {
    const tagAt = pos
    pos = readVarint(bytes, pos, end)
    if (pos < 0) throw new Error(`${varintProblem(pos)} in a field tag at +${tagAt - start}`)
    const n = Math.floor(varint.value / 8)
    const wire = varint.value % 8
    if (wire === WIRE_VARINT) {
      const valueAt = pos
      pos = readVarint(bytes, pos, end)
      if (pos < 0) throw new Error(`${varintProblem(pos)} in field ${n} at +${tagAt - start}`)
      fields.push({ n, wire, value: varint.exact ? BigInt(varint.value) : decodeVarint64(bytes, valueAt) })
    } else if (wire === WIRE_LEN) {
      pos = readVarint(bytes, pos, end)
      if (pos < 0 || !varint.exact || varint.value > end - pos)
        throw new Error(`field ${n} length runs past the end at +${tagAt - start}`)
      fields.push({ n, wire, start: pos, end: pos + varint.value })
      pos += varint.value
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4
      if (pos > end) throw new Error(`field ${n} runs past the end at +${tagAt - start}`)
    } else {
      throw new Error(`field ${n} has wire type ${wire}, which no message of etcd's uses, at +${tagAt - start}`)
    }
  }
  return fields
}

/** A varint readVarint has accepted, exactly, past 2^53 too. */
export function decodeVarint64(bytes: Uint8Array, pos: number): bigint {
  let value = 0n
  for (let shift = 0n; ; shift += 7n) {
    const b = bytes[pos++]!
    value |= BigInt(b & 0x7f) << shift
    if (b < 0x80) return value
  }
}

/**
 * A varint that arrives a byte at a time, across the chunks of a stream (the snapshot stream's parser): `add` each
 * byte until it returns true, then read `value`.
 */
export class VarintAccumulator {
  value = 0
  private scale = 1

  reset(): void {
    this.value = 0
    this.scale = 1
  }

  /** Adds the next byte; true when it was the last. Throws past ten bytes. */
  add(byte: number): boolean {
    this.value += (byte & 0x7f) * this.scale
    this.scale *= 0x80
    if (byte < 0x80) return true
    if (this.scale > 2 ** 70) throw new Error('varint longer than 10 bytes')
    return false
  }
}
