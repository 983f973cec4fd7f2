/** JSON with etcd's 64-bit ids kept exact. */
import { describe, expect, it } from '@jest/globals'
import { parseJsonWithBigIds } from '../../../src/etcd/json.js'

describe('parseJsonWithBigIds', () => {
  it('keeps integers beyond 2^53 exact, as decimal strings', () => {
    const text = '{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437,"revision":42}}'
    expect(parseJsonWithBigIds(text)).toEqual({
      header: { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: 42 }
    })
    expect(JSON.parse(text).header.cluster_id).not.toBe(14841639068965178418n.toString())
  })

  it('leaves safe integers, fractions, exponents and other values alone', () => {
    expect(parseJsonWithBigIds('[9007199254740991, 1.5, 1e300, -3, "12345678901234567890", true, null]')).toEqual([
      9007199254740991,
      1.5,
      1e300,
      -3,
      '12345678901234567890',
      true,
      null
    ])
    expect(parseJsonWithBigIds('-9223372036854775807')).toBe('-9223372036854775807')
  })
})
