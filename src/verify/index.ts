/** The native etcd snapshot verifier (see verify.ts). */
export { hashKV, tooFewKeys, verifySnapshot, type SnapshotReport, type VerifyOptions } from './verify.js'
export type { HashKvResult } from './hashkv.js'
export type { KubernetesInventory } from './kubernetes.js'
export type { SnapshotStatus } from './status.js'
export { SnapshotReadError } from './reader.js'
export { hasSnapshotSize, TRAILER_SIZE } from './trailer.js'
export { crc32c } from './crc32c.js'
