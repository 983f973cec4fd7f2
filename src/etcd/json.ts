/**
 * JSON.parse that keeps integers beyond 2^53 exact: etcd prints 64-bit member and cluster ids as bare JSON numbers,
 * which a plain JSON.parse rounds. Such numbers come back as decimal strings; every other number stays a number.
 */
export function parseJsonWithBigIds(text: string): unknown {
  return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
    if (
      typeof value === 'number' &&
      !Number.isSafeInteger(value) &&
      context?.source &&
      /^-?\d+$/.test(context.source)
    ) {
      return context.source
    }
    return value
  })
}
