// A field table as the Markdown the xds README shows: one row per field whose handling differs from
// its parent's (a row covers every field under it that has no row of its own), so the README says
// exactly what the code does. field-support.test.ts keeps the README in step.
import type { FieldSupport } from './field-support.js';

function same(a: FieldSupport | undefined, b: FieldSupport): boolean {
  if (!a || a.status !== b.status) return false;
  return a.status === 'refused' ? a.reason === (b as { reason: string }).reason : a.envoy === (b as { envoy: string }).envoy && a.test === (b as { test: string }).test;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function renderFieldTable(table: Readonly<Record<string, FieldSupport>>): string {
  const rows = ['| Field (and the fields under it) | Gatehouse | What Envoy gets, or why it is refused | Test |', '| --- | --- | --- | --- |'];
  for (const [path, support] of Object.entries(table).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const parent = path.slice(0, path.lastIndexOf('.'));
    if (same(table[parent], support)) continue;
    rows.push(
      support.status === 'translated'
        ? `| \`${path}\` | translated | ${cell(support.envoy)} | \`${support.test}\` |`
        : `| \`${path}\` | **refused** | ${cell(support.reason)} | |`,
    );
  }
  return rows.join('\n');
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
