/**
 * The protobuf varint codec: strict reading of what etcd stores (minimal varints, fields in order, no zero values),
 * lenient reading of what a peer sends (unknown fields skipped), and the encoders the gRPC client writes with.
 */
import { describe, expect, it } from '@jest/globals'
import {
  checkMessage,
  encodeVarint,
  lengthField,
  readFields,
  readVarint,
  varint,
  VarintAccumulator,
  varintField,
  varintProblem,
  WIRE_LEN,
  WIRE_VARINT,
  type FieldRule,
  type MessageFields
} from '../../../src/wire/protobuf.js'

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b)

describe('readVarint', () => {
  it('reads one- and multi-byte varints and returns the position after them', () => {
    expect(readVarint(bytes(0x05), 0, 1)).toBe(1)
    expect(varint.value).toBe(5)
    expect(readVarint(bytes(0xff, 0xac, 0x02), 1, 3)).toBe(3)
    expect(varint.value).toBe(300)
    expect(varint.exact).toBe(true)
  })

  it('flags values past 2^53 as inexact and rejects more than ten bytes', () => {
    const max = encodeVarint(2n ** 64n - 1n)
    expect(max.length).toBe(10)
    expect(readVarint(max, 0, max.length)).toBe(10)
    expect(varint.exact).toBe(false)
    expect(readVarint(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02), 0, 10)).toBe(-2)
  })

  it('returns -1 when truncated and -3 when not minimally encoded', () => {
    expect(readVarint(bytes(), 0, 0)).toBe(-1)
    expect(readVarint(bytes(0x80, 0x80), 0, 2)).toBe(-1)
    expect(readVarint(bytes(0x81, 0x00), 0, 2)).toBe(-3)
    expect([-1, -2, -3].map(varintProblem)).toEqual([
      'truncated varint',
      'varint longer than 10 bytes',
      'varint not minimally encoded'
    ])
  })
})

describe('encoders', () => {
  it('encodes varints as protobuf does, numbers and bigints alike', () => {
    expect([...encodeVarint(0)]).toEqual([0])
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02])
    expect(encodeVarint(2 ** 40).equals(encodeVarint(2n ** 40n))).toBe(true)
    expect(() => encodeVarint(-1)).toThrow(RangeError)
    expect(() => encodeVarint(2n ** 64n)).toThrow(/does not fit a uint64 varint/)
  })

  it('leaves zero varint fields out and prefixes length fields with tag and length', () => {
    expect(varintField(3, 0).length).toBe(0)
    expect([...varintField(3, 150)]).toEqual([0x18, 0x96, 0x01])
    expect([...lengthField(2, 'hi')]).toEqual([0x12, 2, 0x68, 0x69])
    expect([...lengthField(1, bytes(7))]).toEqual([0x0a, 1, 7])
  })
})

describe('checkMessage', () => {
  const inner: FieldRule[] = [{ n: 1, wire: WIRE_VARINT }]
  const rules: FieldRule[] = [
    { n: 1, wire: WIRE_LEN },
    { n: 2, wire: WIRE_VARINT, max: 1 },
    { n: 3, wire: WIRE_LEN, message: inner },
    { n: 4, wire: WIRE_VARINT, repeated: true }
  ]

  it('accepts a canonical message and reports its fields', () => {
    const msg = Buffer.concat([lengthField(1, 'k'), varintField(2, 1), lengthField(3, varintField(1, 9))])
    const found: MessageFields = { bytes: new Map(), values: new Map() }
    expect(checkMessage(msg, 0, msg.length, rules, found)).toBe('')
    expect(found.values.get(2)).toBe(1)
    expect(found.bytes.get(1)).toEqual([2, 3])
  })

  it('names what is wrong with a non-canonical message', () => {
    const check = (...parts: Buffer[]): string => {
      const msg = Buffer.concat(parts)
      return checkMessage(msg, 0, msg.length, rules)
    }
    expect(check(varintField(5, 1))).toBe('unknown field 5 (tag 40) at +0')
    expect(check(varintField(2, 1), lengthField(1, 'k'))).toBe('field 1 out of order or repeated at +2')
    expect(check(Buffer.from([0x10, 0x00]))).toBe('field 2 encodes a zero value (etcd omits those) at +0')
    expect(check(varintField(2, 2))).toBe('field 2 value 2 is out of range at +0')
    expect(check(Buffer.from([0x0a, 0x00]))).toBe('field 1 is empty (etcd omits those) at +0')
    expect(check(Buffer.from([0x0a, 0x05, 0x01]))).toBe('field 1 length 5 runs past the end at +0')
    expect(check(lengthField(3, varintField(7, 1)))).toBe('in field 3: unknown field 7 (tag 56) at +0')
    expect(check(Buffer.from([0x08, 0x01]))).toBe('field 1 has wire type 0, expected 2, at +0')
    expect(check(varintField(4, 1), Buffer.from([0x20, 0x00]))).toBe('')
  })
})

describe('readFields', () => {
  it('returns fields in order, skipping fixed-width ones, with exact 64-bit values', () => {
    const msg = Buffer.concat([
      varintField(1, 2n ** 63n + 5n),
      Buffer.from([0x11, 1, 2, 3, 4, 5, 6, 7, 8]), // field 2, fixed64: skipped
      lengthField(3, 'abc')
    ])
    expect(readFields(msg)).toEqual([
      { n: 1, wire: WIRE_VARINT, value: 2n ** 63n + 5n },
      { n: 3, wire: WIRE_LEN, start: msg.length - 3, end: msg.length }
    ])
  })

  it('throws on bytes that are not a message', () => {
    expect(() => readFields(bytes(0x0a, 0x05))).toThrow(/field 1 length runs past the end at \+0/)
    expect(() => readFields(bytes(0x0b))).toThrow(/wire type 3/)
    expect(() => readFields(bytes(0x08))).toThrow(/truncated varint in field 1/)
  })
})

describe('VarintAccumulator', () => {
  it('assembles a varint arriving a byte at a time, and resets', () => {
    const acc = new VarintAccumulator()
    expect(acc.add(0xac)).toBe(false)
    expect(acc.add(0x02)).toBe(true)
    expect(acc.value).toBe(300)
    acc.reset()
    expect(acc.add(0x07)).toBe(true)
    expect(acc.value).toBe(7)
  })

  it('throws past ten bytes', () => {
    const acc = new VarintAccumulator()
    expect(() => {
      for (let i = 0; i < 11; i++) acc.add(0x80)
    }).toThrow('varint longer than 10 bytes')
  })
})
