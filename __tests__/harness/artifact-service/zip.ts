/** Reading the zips the client builds (test support only: stored and deflated entries, zip64, CRC-checked). */
import { crc32, inflateRawSync } from 'node:zlib'

/** Entries of a zip archive by name, directories left out. Reads the central directory, as unzip tools do. */
export function readZipEntries(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]), Math.max(0, zip.length - 22))
  if (eocd < 0 || eocd < zip.length - 22 - 0xffff) throw new Error('not a zip: no end of central directory record')
  let entries = zip.readUInt16LE(eocd + 10)
  let cdOffset = zip.readUInt32LE(eocd + 16)
  if (entries === 0xffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20
    if (locator < 0 || zip.readUInt32LE(locator) !== 0x07064b50) throw new Error('zip64 locator missing')
    const record = Number(zip.readBigUInt64LE(locator + 8))
    if (zip.readUInt32LE(record) !== 0x06064b50) throw new Error('zip64 end of central directory record missing')
    entries = Number(zip.readBigUInt64LE(record + 32))
    cdOffset = Number(zip.readBigUInt64LE(record + 48))
  }
  const result = new Map<string, Buffer>()
  let p = cdOffset
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory header at ${p}`)
    const method = zip.readUInt16LE(p + 10)
    const crc = zip.readUInt32LE(p + 16)
    let compressedSize = zip.readUInt32LE(p + 20)
    let size = zip.readUInt32LE(p + 24)
    const nameLength = zip.readUInt16LE(p + 28)
    const extraLength = zip.readUInt16LE(p + 30)
    const commentLength = zip.readUInt16LE(p + 32)
    let localOffset = zip.readUInt32LE(p + 42)
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength)
    // The zip64 extra field holds, in this order, only the fields whose 32-bit slot is saturated.
    let e = p + 46 + nameLength
    const extraEnd = e + extraLength
    while (e + 4 <= extraEnd) {
      const id = zip.readUInt16LE(e)
      const length = zip.readUInt16LE(e + 2)
      if (id === 0x0001) {
        let q = e + 4
        if (size === 0xffffffff) {
          size = Number(zip.readBigUInt64LE(q))
          q += 8
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(zip.readBigUInt64LE(q))
          q += 8
        }
        if (localOffset === 0xffffffff) localOffset = Number(zip.readBigUInt64LE(q))
      }
      e += 4 + length
    }
    p = extraEnd + commentLength
    if (name.endsWith('/')) continue
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`bad local header for ${name}`)
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
    const raw = zip.subarray(dataStart, dataStart + compressedSize)
    let data: Buffer
    if (method === 0) data = Buffer.from(raw)
    else if (method === 8) data = inflateRawSync(raw)
    else throw new Error(`${name}: compression method ${method} not supported`)
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes, central directory says ${size}`)
    if (crc32(data) !== crc) throw new Error(`${name}: CRC-32 mismatch`)
    result.set(name, data)
  }
  return result
}
