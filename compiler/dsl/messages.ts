/**
 * Syntax error messages in words a newcomer understands: what was expected, after what, and
 * what was found, e.g. `expected "=" after the name in let, found "kv"`. chevrotain's own
 * messages list token type names (`Expecting token of type --> Assign <--`); this provider
 * says what the thing is instead.
 */
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { EOF } from './chevrotain.js';

/** What each rule is about, for "expected …" when several things could come next. */
const ruleWants: Record<string, string> = {
  program: 'a statement, a function (fn) or a header line (workflow, description, kind, trigger, hosts, input)',
  statement: 'a statement: let, var, if, for, repeat, return, try, sleep, log, parallel, do, fail, or an expression such as an action call',
  expression: 'a value: a number, a string, a name, a call, a list [ … ] or a record { … }',
  operand: 'a value: a number, a string, a name, a call, a list [ … ] or a record { … }',
  postfix: 'a value: a number, a string, a name, a call, a list [ … ] or a record { … }',
  type: 'a type: string, number, integer, boolean, duration, any, null, [type] or { field: type }',
  headerItem: 'a header line: description "…", kind user, trigger …, hosts "…", input { … }',
  triggerDeclaration: 'a trigger: manual, event "type", or schedule "cron"',
  recordField: 'a field: name: value, "quoted name": value, or ...record',
  ifStatement: 'if or a block { … } after else',
  forStatement: 'a block { … } or => value after the for head',
  letStatement: 'let or var',
  forHead: 'for, parallel for or race for',
};

/** How a token is shown to the author: keywords and symbols quoted, the rest described. */
export function showToken(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the file';
  switch (token.tokenType.name) {
    case 'StringStart':
      return 'a string';
    case 'UnterminatedString':
      return 'the end of the line (a string must close with " on the line where it starts)';
    case 'Identifier':
      return `the name ${token.image}`;
    case 'NumberLiteral':
      return `the number ${token.image}`;
    case 'Duration':
      return `the duration ${token.image}`;
    case 'StringText':
      return `the text ${JSON.stringify(token.image.length > 20 ? `${token.image.slice(0, 20)}…` : token.image)}`;
    default:
      return `"${token.image}"`;
  }
}

function label(type: TokenType): string {
  return type.LABEL ?? type.name;
}

function after(previous: IToken | undefined): string {
  if (previous === undefined || previous.tokenType === EOF || previous.image === undefined || previous.image === '') return '';
  return ` after ${showToken(previous)}`;
}

function alternatives(paths: TokenType[][]): string {
  const firsts = [...new Set(paths.map((p) => (p[0] !== undefined ? label(p[0]) : null)).filter((x): x is string => x !== null))];
  if (firsts.length === 0) return 'something else';
  if (firsts.length === 1) return firsts[0];
  const shown = firsts.slice(0, 8);
  return `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}${firsts.length > shown.length ? ', …' : ''}`;
}

export const describeTokens: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    return `expected ${label(expected)}${after(previous)}, found ${showToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${showToken(firstRedundant)}: expected ${ruleWants.statement}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, ruleName }) {
    const wanted = ruleWants[ruleName] ?? alternatives(expectedPathsPerAlt.flat());
    return `expected ${wanted}${after(previous)}, found ${showToken(actual[0])}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, previous, ruleName }) {
    const wanted = ruleName === 'tryStatement' ? 'a catch clause (catch "CODE" as err { … }) after the try block' : ruleWants[ruleName] ?? alternatives(expectedIterationPaths);
    return `expected ${wanted}${after(previous)}, found ${showToken(actual[0])}`;
  },
};
