/**
 * Names taken from a snapshot (bucket names, keys) or typed by a user end up on a terminal. Control characters in
 * them (C0, DEL, C1: the bytes of escape sequences) are written as \xNN so they are shown, never obeyed.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g
const DEL_AND_C1 = /[\u007f-\u009f]/g

/** The text with every control character (newlines too) written as \xNN. */
export function printable(text: string): string {
  return text.replace(CONTROL, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** The text in double quotes, with a quote or backslash in it escaped and control characters as \xNN. */
export function quoted(text: string): string {
  return `"${printable(text.replace(/[\\"]/g, c => `\\${c}`))}"`
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls but leaves DEL and C1 as they are; those become \u00NN,
 * which parses back to the same string.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(DEL_AND_C1, c => `\\u00${c.charCodeAt(0).toString(16)}`)
}
