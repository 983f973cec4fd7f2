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
