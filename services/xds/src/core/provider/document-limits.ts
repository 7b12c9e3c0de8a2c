// Bounds on YAML a client sends (the admin API): how many documents, and how deeply collections
// nest. Checked on yaml's concrete syntax tree, which its parser builds without recursion, before
// anything recursive (composition, schema validation, translation, JSON encoding) sees the text.
import { Parser, type CST } from 'yaml';
import { XdsErrorCodes } from '../../errors.js';

export interface DocumentLimits {
  /** Documents in one body. */
  maxDocuments: number;
  /** Mappings and sequences nested in one another (a document's top level is depth 1). */
  maxDepth: number;
}

/** Gateway API resources nest about 10 deep (HTTPRoute rules, filters, modifiers, values); a request applies a config, not a cluster. */
export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { maxDocuments: 500, maxDepth: 32 };

export interface DocumentLimitViolation {
  code: typeof XdsErrorCodes.adminTooManyDocuments | typeof XdsErrorCodes.adminBodyTooDeep;
  message: string;
}

export function checkDocumentLimits(text: string, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): DocumentLimitViolation | undefined {
  let documents = 0;
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    documents += 1;
    if (documents > limits.maxDocuments) return { code: XdsErrorCodes.adminTooManyDocuments, message: `more than ${limits.maxDocuments} YAML documents in one request` };
    if (token.value && depthExceeds(token.value, limits.maxDepth)) {
      return { code: XdsErrorCodes.adminBodyTooDeep, message: `document ${documents} nests mappings and sequences more than ${limits.maxDepth} deep` };
    }
  }
  return undefined;
}

/** Iterative walk: the text may nest far deeper than the stack allows. */
function depthExceeds(root: CST.Token, maxDepth: number): boolean {
  const stack: Array<[CST.Token, number]> = [[root, 0]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [token, depth] = entry;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth + 1 > maxDepth) return true;
    for (const item of token.items) {
      if (item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
  return false;
}
