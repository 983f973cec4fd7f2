/** Names from a snapshot or a user reach a terminal shown, never obeyed. */
import { describe, expect, it } from '@jest/globals'
import { printable, quoted, terminalJson } from '../../../src/verify/printable.js'

describe('printable', () => {
  it('writes C0, DEL and C1 control characters as \\xNN and leaves the rest alone', () => {
    expect(printable('a\x1b[31mb\n\x7f\x9b\u00e9')).toBe('a\\x1b[31mb\\x0a\\x7f\\x9b\u00e9')
    expect(printable('/registry/pods/default/web')).toBe('/registry/pods/default/web')
  })
})

describe('quoted', () => {
  it('quotes, escaping quotes and backslashes before control characters', () => {
    expect(quoted('say "hi"\\\x07')).toBe('"say \\"hi\\"\\\\\\x07"')
  })
})

describe('terminalJson', () => {
  it('escapes DEL and C1, which JSON.stringify leaves raw, and still parses back', () => {
    const value = { name: 'x\x7f\x9by\x1b' }
    const text = terminalJson(value)
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    expect(text).toContain('\\u007f\\u009by\\u001b')
    expect(JSON.parse(text)).toEqual(value)
  })
})
