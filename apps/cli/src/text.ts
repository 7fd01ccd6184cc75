/**
 * Text from the API (titles, descriptions, tags, names, error details) made safe for a terminal.
 * A stored `\e[31m` would recolour the screen, `\e]52;…` write the clipboard, a newline break the
 * table, and a right-to-left override (U+202E) reorder what follows: the "Trojan Source" class,
 * CVE-2021-42574. Every human output goes through {@link printable}; `--json` never does, since a
 * JSON encoder escapes control characters itself and scripts need the stored text as it is.
 */

// C0 controls, DEL, C1 controls, and the Unicode bidirectional formatting characters (ALM, LRM,
// RLM, LRE…RLO, LRI…PDI) plus the line and paragraph separators.
/* eslint-disable no-control-regex -- matching control characters is the point */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every control and bidi-formatting character replaced by a visible escape: `\n`,
 * `\t`, `\r`, `\x1b`, `\u202e`. With `multiline`, line breaks and tabs stay (a description
 * keeps its lines) and CRLF becomes LF.
 */
export function printable(text: string, options: { multiline?: boolean } = {}): string {
  const source = options.multiline ? text.replace(/\r\n/g, "\n") : text;
  return source.replace(UNSAFE, (char) => {
    if (options.multiline && (char === "\n" || char === "\t")) return char;
    const named = NAMED[char];
    if (named) return named;
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
