// A line diff (longest common subsequence) of two texts, cut to the changed lines and a little context:
// how the dry run shows what a change does to one Envoy resource.

export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
}

/** Lines of `before` and `after` with their ops; unchanged runs longer than 2 × `context` are elided as "…". */
export function diffLines(before: string, after: string, context = 2): DiffLine[] {
  const fullA = before.split('\n');
  const fullB = after.split('\n');
  // The common head and tail are cut first, so a large resource with a small change stays cheap to compare.
  let head = 0;
  while (head < fullA.length && head < fullB.length && fullA[head] === fullB[head]) head++;
  let tail = 0;
  while (tail < fullA.length - head && tail < fullB.length - head && fullA[fullA.length - 1 - tail] === fullB[fullB.length - 1 - tail]) tail++;
  const a = fullA.slice(head, fullA.length - tail);
  const b = fullB.slice(head, fullB.length - tail);
  if (a.length * b.length > MAX_CELLS) return elide([...fullA.slice(0, head).map(same), ...a.map(removed), ...b.map(added), ...fullA.slice(fullA.length - tail).map(same)], context);
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const all: DiffLine[] = fullA.slice(0, head).map(same);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      all.push({ op: ' ', text: a[i++]! });
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) all.push({ op: '+', text: b[j++]! });
    else all.push({ op: '-', text: a[i++]! });
  }
  all.push(...fullA.slice(fullA.length - tail).map(same));
  return elide(all, context);
}

const MAX_CELLS = 4_000_000;
const same = (text: string): DiffLine => ({ op: ' ', text });
const added = (text: string): DiffLine => ({ op: '+', text });
const removed = (text: string): DiffLine => ({ op: '-', text });

function elide(all: DiffLine[], context: number): DiffLine[] {
  // Distance of each line to the nearest changed one, from both sides.
  const distance = new Array<number>(all.length).fill(Infinity);
  for (let k = 0, last = -Infinity; k < all.length; k++) {
    if (all[k]!.op !== ' ') last = k;
    distance[k] = k - last;
  }
  for (let k = all.length - 1, next = Infinity; k >= 0; k--) {
    if (all[k]!.op !== ' ') next = k;
    distance[k] = Math.min(distance[k]!, next - k);
  }
  const out: DiffLine[] = [];
  all.forEach((line, k) => {
    if (distance[k]! <= context) out.push(line);
    else if (out.at(-1)?.text !== '…') out.push({ op: ' ', text: '…' });
  });
  return out;
}
