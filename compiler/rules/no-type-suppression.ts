import ts from '../ts/typescript.cjs';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: read once here, not on each use.
const { forEachChild, SyntaxKind } = ts;

const why = 'the purity rules and the capability manifest rest on the types TypeScript checked (whether a value is a Date, a function, a promise); a comment that silences type errors lets a value be typed as something it is not, and the rules then judge the wrong thing';

/** What TypeScript honours as a line directive (its own patterns, src/compiler/scanner.ts). */
const singleLineDirective = /^\/\/\/?\s*@(ts-expect-error|ts-ignore)/;
const multiLineDirective = /^(?:\/|\*)*\s*@(ts-expect-error|ts-ignore)/;
/** `// @ts-nocheck` among the file's leading comments (a pragma: any case, src/compiler/parser.ts). */
const noCheckPragma = /^\/\/\/?\s*@ts-nocheck(?:[\s:]|$)/im;

/** The directive a comment holds, if TypeScript would honour it there. */
function directiveOf(text: string, kind: ts.CommentKind, leadingOfFile: boolean): string | undefined {
  if (kind === SyntaxKind.SingleLineCommentTrivia) {
    const m = singleLineDirective.exec(text);
    if (m !== null) return `@${m[1]}`;
    return leadingOfFile && noCheckPragma.test(text) ? '@ts-nocheck' : undefined;
  }
  for (const line of text.split(/\r?\n/)) {
    const m = multiLineDirective.exec(line.trimStart());
    if (m !== null) return `@${m[1]}`;
  }
  return undefined;
}

/**
 * Every comment of a file, once: each is leading trivia of some token (the end-of-file token
 * included), so the tokens' leading comment ranges cover them all, also those before a `}`.
 */
function comments(sf: ts.SourceFile): ts.CommentRange[] {
  const seen = new Set<number>();
  const out: ts.CommentRange[] = [];
  const visit = (n: ts.Node): void => {
    for (const c of ts.getLeadingCommentRanges(sf.text, n.pos) ?? []) {
      if (seen.has(c.pos)) continue;
      seen.add(c.pos);
      out.push(c);
    }
    for (const child of n.getChildren(sf)) visit(child);
  };
  visit(sf);
  return out.sort((a, b) => a.pos - b.pos);
}

/** The outermost node that starts at or after `pos`: the code a directive on the line before applies to. */
function nodeAfter(sf: ts.SourceFile, pos: number): ts.Node {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found !== undefined) return;
    if (n.getStart(sf) >= pos) {
      found = n;
      return;
    }
    if (n.end > pos) forEachChild(n, visit);
  };
  forEachChild(sf, visit);
  return found ?? sf.endOfFileToken;
}

/** `// @ts-ignore`, `// @ts-expect-error` and `// @ts-nocheck` hide type errors the rules rely on not being there. */
export default defineRule({
  id: 'no-type-suppression',
  description: 'Comments that silence TypeScript (@ts-ignore, @ts-expect-error, @ts-nocheck) let values be typed as what they are not, and the purity rules rely on the types.',
  create: (ctx) => ({
    SourceFile(sf) {
      // Most files mention no directive at all: the token walk below is only paid for those that do.
      if (!/@ts-/i.test(sf.text)) return;
      const leading = new Set((ts.getLeadingCommentRanges(sf.text, 0) ?? []).map((c) => c.pos));
      for (const c of comments(sf)) {
        const directive = directiveOf(sf.text.slice(c.pos, c.end), c.kind, leading.has(c.pos));
        if (directive === undefined) continue;
        const what = directive === '@ts-nocheck' ? 'turns off type checking for the whole file' : 'hides the type errors of the line after it';
        ctx.report(nodeAfter(sf, c.end), `a ${directive} comment before this code ${what}: ${why}.`, 'remove the comment and fix the type error (give the value its real type, or check it at run time)');
      }
    },
  }),
});
