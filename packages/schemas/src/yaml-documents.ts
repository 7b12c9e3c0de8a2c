// Parses multi-document YAML while keeping positions, so every error can name file, line and path.
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import type { ConfigIssue } from './format-issue.js';

export interface YamlDocument {
  /** 0-based position of the document in the file. */
  readonly index: number;
  readonly value: unknown;
  /** 1-based line of the node at a JSON pointer ("/spec/rules/0"), or of the nearest ancestor that exists. */
  lineOf(pointer: string): number;
}

export interface YamlSyntaxError extends ConfigIssue {
  readonly code: typeof YAML_SYNTAX_CODE;
  readonly file: string;
  readonly line: number;
}

export const YAML_SYNTAX_CODE = 'GH_CONFIG_YAML_SYNTAX';

export interface ParsedYamlFile {
  readonly file: string;
  readonly documents: YamlDocument[];
  readonly errors: YamlSyntaxError[];
}

export function parseYamlFile(text: string, file: string): ParsedYamlFile {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const errors: YamlSyntaxError[] = [];
  const documents: YamlDocument[] = [];
  docs.forEach((doc) => {
    for (const error of doc.errors) {
      errors.push({ code: YAML_SYNTAX_CODE, file, line: lineCounter.linePos(error.pos[0]).line, message: error.message.split('\n')[0] ?? error.message });
    }
    let value: unknown;
    try {
      // Throws on an alias without its anchor, or on alias expansion past the cap ("billion laughs").
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      const start = doc.contents?.range?.[0] ?? doc.range[0];
      errors.push({ code: YAML_SYNTAX_CODE, file, line: lineCounter.linePos(start).line, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (value === null || value === undefined) return; // empty document, e.g. after a trailing ---
    documents.push({ index: documents.length, value, lineOf: (pointer) => lineOfPointer(doc, lineCounter, pointer) });
  });
  return { file, documents, errors };
}

function lineOfPointer(doc: Document, lineCounter: LineCounter, pointer: string): number {
  const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let length = segments.length; length >= 0; length--) {
    const path = segments.slice(0, length).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const node = length === 0 ? doc.contents : doc.getIn(path, true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return 1;
}
