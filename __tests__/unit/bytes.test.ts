/** Sizes as a person reads them in logs and the job summary. */
import { formatBytes } from '../../src/bytes.js'

describe('formatBytes', () => {
  it('keeps bytes whole and gives one decimal from KiB up', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1023 B')
    expect(formatBytes(1024)).toBe('1.0 KiB')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(214 * 1024 * 1024)).toBe('214.0 MiB')
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB')
    expect(formatBytes(3 * 1024 ** 5)).toBe('3072.0 TiB')
  })
})
