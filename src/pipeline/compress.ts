import type { Transform } from 'node:stream'
import * as zlib from 'node:zlib'
import type { Compression } from '../format/layers.js'

/** The compressor for the chosen format, or undefined for none. zstd and gzip run on libuv's thread pool. */
export function createCompressor(compression: Compression, level: number): Transform | undefined {
  switch (compression) {
    case 'zstd':
      return zlib.createZstdCompress({
        chunkSize: 1 << 20,
        params: { [zlib.constants.ZSTD_c_compressionLevel]: level, [zlib.constants.ZSTD_c_checksumFlag]: 1 }
      })
    case 'gzip':
      return zlib.createGzip({ level, chunkSize: 1 << 20 })
    case 'none':
      return undefined
  }
}
