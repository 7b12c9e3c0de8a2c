// A field table as the Markdown table the xds README shows (field → what Envoy gets → test), so the
// README is generated from the code and a test keeps the two equal.
import type { FieldSupport } from './field-support.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

export function renderFieldTable(table: Readonly<Record<string, FieldSupport>>): string {
  const rows = Object.keys(table)
    .sort()
    .map((field) => {
      const support = table[field]!;
      return support.status === 'translated'
        ? `| \`${field}\` | ${escapeCell(support.envoy)} | ${support.test.split(', ').map((t) => `\`${t}\``).join(', ')} |`
        : `| \`${field}\` | **refused** (Accepted=False naming the field): ${escapeCell(support.reason)} | \`security-policy.test.ts\` |`;
    });
  return ['| Field | What Envoy gets | Test |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The text between `<!-- <marker>:start -->` and `<!-- <marker>:end -->`, or undefined. */
export function markedSection(text: string, marker: string): { before: string; inside: string; after: string } | undefined {
  const start = `<!-- ${marker}:start -->\n`;
  const end = `\n<!-- ${marker}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return undefined;
  return { before: text.slice(0, from + start.length), inside: text.slice(from + start.length, to), after: text.slice(to) };
}
