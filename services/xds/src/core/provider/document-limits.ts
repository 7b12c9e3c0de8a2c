// Bounds on YAML a client sends (the admin API): how many documents, how deeply collections nest
// and how many entries one holds (yaml checks a mapping's keys for duplicates pairwise: 100,000 keys
// in one megabyte take minutes), checked before anything recursive (composition, schema validation, translation, JSON
// encoding) sees the text. Two passes: yaml's lexer, lazy and linear, stops at the first flow
// bracket or "---" past a cap (its parser takes seconds on a megabyte of "["); then the parser's
// concrete syntax tree, built without recursion, gives the exact count and depth, block style too.
import { CST, Lexer, Parser } from 'yaml';
import { XdsErrorCodes } from '../../errors.js';

export interface DocumentLimits {
  /** Documents in one body. */
  maxDocuments: number;
  /** Mappings and sequences nested in one another (a document's top level is depth 1). */
  maxDepth: number;
  /** Entries of one mapping or sequence. */
  maxEntries: number;
}

/**
 * Gateway API resources nest about 10 deep (HTTPRoute rules, filters, modifiers, values) and their
 * lists hold at most 64 items; the widest mapping is a Secret of API keys, one entry per client.
 * A request applies a config, not a cluster.
 */
export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { maxDocuments: 500, maxDepth: 32, maxEntries: 1000 };

export interface DocumentLimitViolation {
  code: typeof XdsErrorCodes.adminTooManyDocuments | typeof XdsErrorCodes.adminBodyTooDeep | typeof XdsErrorCodes.adminCollectionTooLarge;
  message: string;
}

export function checkDocumentLimits(text: string, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): DocumentLimitViolation | undefined {
  return lexicalViolation(text, limits) ?? treeViolation(text, limits);
}

const tooMany = (limits: DocumentLimits): DocumentLimitViolation => ({ code: XdsErrorCodes.adminTooManyDocuments, message: `more than ${limits.maxDocuments} YAML documents in one request` });
const tooLarge = (limits: DocumentLimits): DocumentLimitViolation => ({ code: XdsErrorCodes.adminCollectionTooLarge, message: `a mapping or sequence holds more than ${limits.maxEntries} entries` });

/** Flow nesting, commas of one flow collection and "---" markers are lower bounds of depth, entries and document count. */
function lexicalViolation(text: string, limits: DocumentLimits): DocumentLimitViolation | undefined {
  /** Commas seen in each open flow collection. */
  const commas: number[] = [];
  let documentStarts = 0;
  for (const source of new Lexer().lex(text)) {
    const type = CST.tokenType(source);
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      commas.push(0);
      if (commas.length > limits.maxDepth) return { code: XdsErrorCodes.adminBodyTooDeep, message: `flow collections nest more than ${limits.maxDepth} deep` };
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      commas.pop();
    } else if (type === 'comma' && commas.length > 0) {
      const seen = commas[commas.length - 1]! + 1;
      commas[commas.length - 1] = seen;
      if (seen > limits.maxEntries) return tooLarge(limits);
    } else if (type === 'doc-start') {
      documentStarts += 1;
      if (documentStarts > limits.maxDocuments) return tooMany(limits);
    }
  }
  return undefined;
}

function treeViolation(text: string, limits: DocumentLimits): DocumentLimitViolation | undefined {
  let documents = 0;
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    documents += 1;
    if (documents > limits.maxDocuments) return tooMany(limits);
    const exceeded = token.value && collectionLimitExceeded(token.value, limits);
    if (exceeded === 'depth') return { code: XdsErrorCodes.adminBodyTooDeep, message: `document ${documents} nests mappings and sequences more than ${limits.maxDepth} deep` };
    if (exceeded === 'entries') return tooLarge(limits);
  }
  return undefined;
}

/** Iterative walk: the text may nest far deeper than the stack allows. */
function collectionLimitExceeded(root: CST.Token, limits: DocumentLimits): 'depth' | 'entries' | undefined {
  const stack: Array<[CST.Token, number]> = [[root, 0]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [token, depth] = entry;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth + 1 > limits.maxDepth) return 'depth';
    if (token.items.length > limits.maxEntries) return 'entries';
    for (const item of token.items) {
      if (item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
  return undefined;
}
