/**
 * The Alice DSL's tokens, declared as data (STYLE.md, "Chevrotain"). The lexer has three modes
 * so that string interpolation nests without counting braces by hand:
 * - `main`: the language;
 * - `string`: inside `"…"`: text, escapes, and `{` which opens an interpolation;
 * - `interp`: inside `{…}` of a string: the language again, where `{` pushes another `interp`
 *   (a record literal) and `}` pops one, so the `}` that closes the hole returns to `string`.
 * The braces of `interp` are their own token types in the categories `LCurly`/`RCurly`, so the
 * parser reads them as ordinary braces.
 */
import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

/** Anything that may stand as a field name, record key or named argument: a name or a keyword. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
/** Every infix operator: the parser reads `a op b op c` flat, the AST builder applies precedence. */
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA, label: 'an operator' });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Name], label: 'a name' });

const keywordNames = [
  'workflow', 'description', 'kind', 'trigger', 'hosts', 'input', 'fn', 'let', 'var', 'if', 'else', 'for', 'in', 'where',
  'repeat', 'times', 'return', 'try', 'catch', 'as', 'sleep', 'wait', 'event', 'timeout', 'log', 'parallel',
  'race', 'do', 'fail', 'true', 'false', 'null', 'and', 'or', 'not',
] as const;
export type KeywordName = (typeof keywordNames)[number];

function keyword(word: KeywordName): TokenType {
  const categories = word === 'and' || word === 'or' ? [Name, BinaryOperator] : [Name];
  return createToken({ name: word[0].toUpperCase() + word.slice(1), pattern: word, longer_alt: Identifier, categories, label: `"${word}"` });
}

export const Workflow = keyword('workflow');
export const Description = keyword('description');
export const Kind = keyword('kind');
export const Trigger = keyword('trigger');
export const Hosts = keyword('hosts');
export const Input = keyword('input');
export const Fn = keyword('fn');
export const Let = keyword('let');
export const Var = keyword('var');
export const If = keyword('if');
export const Else = keyword('else');
export const For = keyword('for');
export const In = keyword('in');
export const Where = keyword('where');
export const Repeat = keyword('repeat');
export const Times = keyword('times');
export const Return = keyword('return');
export const Try = keyword('try');
export const Catch = keyword('catch');
export const As = keyword('as');
export const Sleep = keyword('sleep');
export const Wait = keyword('wait');
export const Event = keyword('event');
export const Timeout = keyword('timeout');
export const Log = keyword('log');
export const Parallel = keyword('parallel');
export const Race = keyword('race');
export const Do = keyword('do');
export const Fail = keyword('fail');
export const True = keyword('true');
export const False = keyword('false');
export const Null = keyword('null');
export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');

export const keywords: readonly TokenType[] = [
  Workflow, Description, Kind, Trigger, Hosts, Input, Fn, Let, Var, If, Else, For, In, Where, Repeat, Times, Return, Try,
  Catch, As, Sleep, Wait, Event, Timeout, Log, Parallel, Race, Do, Fail, True, False, Null, And, Or, Not,
];

/** `5m`, `1h30m`, `250ms`: a duration in milliseconds, written as the engine's duration strings. */
export const Duration = createToken({ name: 'Duration', pattern: /(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+(?![A-Za-z0-9_])/, label: 'a duration such as 5m' });
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z_])/, label: 'a number' });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });

export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: '"{"' });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: '"}"' });
/** Braces inside an interpolation: they keep the mode stack balanced (see the file comment). */
const LCurlyInterp = createToken({ name: 'LCurlyInterp', pattern: '{', categories: [LCurly], push_mode: 'interp', label: '"{"' });
const RCurlyInterp = createToken({ name: 'RCurlyInterp', pattern: '}', categories: [RCurly], pop_mode: true, label: '"}"' });

export const LParen = createToken({ name: 'LParen', pattern: '(', label: '"("' });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: '")"' });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: '"["' });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: '"]"' });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: '","' });
export const Spread = createToken({ name: 'Spread', pattern: '...', label: '"..."' });
export const Dot = createToken({ name: 'Dot', pattern: '.', label: '"."' });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: '":"' });
export const Arrow = createToken({ name: 'Arrow', pattern: '=>', label: '"=>"' });
export const EqEq = createToken({ name: 'EqEq', pattern: '==', categories: [BinaryOperator], label: '"=="' });
export const NotEq = createToken({ name: 'NotEq', pattern: '!=', categories: [BinaryOperator], label: '"!="' });
export const LessEq = createToken({ name: 'LessEq', pattern: '<=', categories: [BinaryOperator], label: '"<="' });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: '>=', categories: [BinaryOperator], label: '">="' });
export const Less = createToken({ name: 'Less', pattern: '<', categories: [BinaryOperator], label: '"<"' });
export const Greater = createToken({ name: 'Greater', pattern: '>', categories: [BinaryOperator], label: '">"' });
export const Assign = createToken({ name: 'Assign', pattern: '=', label: '"="' });
export const Coalesce = createToken({ name: 'Coalesce', pattern: '??', categories: [BinaryOperator], label: '"??"' });
export const Question = createToken({ name: 'Question', pattern: '?', label: '"?"' });
export const Plus = createToken({ name: 'Plus', pattern: '+', categories: [BinaryOperator], label: '"+"' });
export const Minus = createToken({ name: 'Minus', pattern: '-', categories: [BinaryOperator], label: '"-"' });
export const Star = createToken({ name: 'Star', pattern: '*', categories: [BinaryOperator], label: '"*"' });
export const Slash = createToken({ name: 'Slash', pattern: '/', categories: [BinaryOperator], label: '"/"' });
export const Percent = createToken({ name: 'Percent', pattern: '%', categories: [BinaryOperator], label: '"%"' });

export const StringStart = createToken({ name: 'StringStart', pattern: '"', push_mode: 'string', label: 'a string' });
export const StringEnd = createToken({ name: 'StringEnd', pattern: '"', pop_mode: true, label: 'the closing quote "' });
export const StringText = createToken({ name: 'StringText', pattern: /[^"\\{\n]+/, label: 'text' });
export const StringEscape = createToken({ name: 'StringEscape', pattern: /\\(?:u[0-9A-Fa-f]{4}|[^\n])/, label: 'an escape such as \\n' });
/** `{` in a string opens an interpolation: `"Order {input.id}"`. */
export const InterpStart = createToken({ name: 'InterpStart', pattern: '{', push_mode: 'interp', label: '"{"' });
/**
 * A line break before the closing quote ends the string (strings are one line): the parser
 * then reports the missing quote at that line instead of reading the rest of the file as text.
 */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /\n/, pop_mode: true, line_breaks: true, label: 'the end of the line' });

const operators: TokenType[] = [
  Spread, Arrow, EqEq, NotEq, LessEq, GreaterEq, Less, Greater, Assign, Coalesce, Question, Plus, Minus, Star,
  Slash, Percent, LParen, RParen, LBracket, RBracket, Comma, Dot, Colon,
];
const mainTokens: TokenType[] = [WhiteSpace, Comment, StringStart, Duration, NumberLiteral, ...operators, LCurly, RCurly, ...keywords, Identifier];
const interpTokens: TokenType[] = [WhiteSpace, Comment, StringStart, Duration, NumberLiteral, ...operators, LCurlyInterp, RCurlyInterp, ...keywords, Identifier];

/** Every token type the parser knows, in the order the lexer tries them. */
export const allTokens: TokenType[] = [
  Name, BinaryOperator, ...mainTokens, LCurlyInterp, RCurlyInterp, StringEnd, StringText, StringEscape, InterpStart, UnterminatedString,
];

export const dslLexer = new Lexer(
  {
    modes: {
      main: mainTokens,
      string: [StringEnd, StringText, StringEscape, InterpStart, UnterminatedString],
      interp: interpTokens,
    },
    defaultMode: 'main',
  },
  // The token definitions are fixed and covered by the tests: checking them again on every
  // start (chevrotain's validations) only costs time.
  { positionTracking: 'full', ensureOptimizations: false, skipValidations: true },
);
