/**
 * The Alice DSL's grammar as a chevrotain CstParser with error recovery: a parse never throws
 * and returns every syntax error it could find in one pass (STYLE.md, "the parser recovers
 * instead of stopping"). The grammar is written out in EBNF in docs/dsl.md; the railroad page
 * docs/dsl-diagrams.html is generated from this class (diagrams.ts).
 *
 * Lines matter in two places only, both decided by gates rather than by newline tokens: a call
 * `f(…)` or index `x[…]` must open on the line of what it applies to, and `return`'s value must
 * start on the `return` line. So a statement that begins with `(` or `[` on the next line is
 * never glued to the one before.
 */
import type { CstNode, IRecognitionException, IToken, TokenType } from 'chevrotain';
import { CstParser, EOF } from './chevrotain.js';
import * as T from './tokens.js';
import { describeTokens } from './messages.js';

export class DslParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, nodeLocationTracking: 'onlyOffset', maxLookahead: 3, errorMessageProvider: describeTokens, skipValidations: true });
    this.performSelfAnalysis();
  }

  /** The previous token ends on the line the next one starts on. */
  private sameLine(): boolean {
    const prev = this.LA(0);
    const next = this.LA(1);
    return prev.tokenType !== EOF && next.tokenType !== EOF && prev.endLine === next.startLine;
  }

  public program = this.RULE('program', () => {
    this.OPTION(() => this.SUBRULE(this.workflowName));
    this.MANY(() => this.SUBRULE(this.headerItem));
    this.MANY2(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.functionDeclaration) },
        { ALT: () => this.SUBRULE(this.statement) },
      ]),
    );
  });

  private workflowName = this.RULE('workflowName', () => {
    this.CONSUME(T.Workflow);
    this.SUBRULE(this.stringLiteral);
  });

  private headerItem = this.RULE('headerItem', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Description); this.SUBRULE(this.stringLiteral); } },
      { ALT: () => { this.CONSUME(T.Kind); this.CONSUME(T.Identifier, { LABEL: 'kindName' }); } },
      { ALT: () => this.SUBRULE(this.triggerDeclaration) },
      { ALT: () => this.SUBRULE(this.hostsDeclaration) },
      { ALT: () => this.SUBRULE(this.inputDeclaration) },
    ]);
  });

  private triggerDeclaration = this.RULE('triggerDeclaration', () => {
    this.CONSUME(T.Trigger);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Event);
          this.SUBRULE(this.stringLiteral);
          this.OPTION(() => { this.CONSUME(T.Where); this.SUBRULE(this.recordLiteral); });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: 'triggerKind' });
          this.OPTION2(() => this.SUBRULE2(this.stringLiteral));
        },
      },
    ]);
  });

  private hostsDeclaration = this.RULE('hostsDeclaration', () => {
    this.CONSUME(T.Hosts);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.stringLiteral) });
  });

  private inputDeclaration = this.RULE('inputDeclaration', () => {
    this.CONSUME(T.Input);
    this.SUBRULE(this.recordType);
  });

  private functionDeclaration = this.RULE('functionDeclaration', () => {
    this.CONSUME(T.Fn);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => this.SUBRULE(this.parameter),
    });
    this.CONSUME(T.RParen);
    this.SUBRULE(this.block);
  });

  private parameter = this.RULE('parameter', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  });

  // ---- types --------------------------------------------------------------------------------

  private type = this.RULE('type', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'typeName' }) },
      { ALT: () => this.CONSUME(T.Null, { LABEL: 'typeName' }) },
      { ALT: () => { this.CONSUME(T.LBracket); this.SUBRULE(this.type); this.CONSUME(T.RBracket); } },
      { ALT: () => this.SUBRULE(this.recordType) },
    ]);
    this.OPTION(() => this.CONSUME(T.Question, { LABEL: 'nullable' }));
  });

  private recordType = this.RULE('recordType', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.fieldType);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  private fieldType = this.RULE('fieldType', () => {
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.Question, { LABEL: 'optional' }));
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  });

  // ---- statements ---------------------------------------------------------------------------

  private block = this.RULE('block', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RCurly);
  });

  public statement = this.RULE('statement', () => {
    this.OR({
      // A `for` (or `parallel for`) at the start of a statement is the loop, never a list
      // built by a `for … =>` expression statement: the loop rule reads both bodies.
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.letStatement) },
        { GATE: () => this.LA(2).tokenType === T.Assign, ALT: () => this.SUBRULE(this.assignStatement) },
        { ALT: () => this.SUBRULE(this.ifStatement) },
        { ALT: () => this.SUBRULE(this.forStatement) },
        { ALT: () => this.SUBRULE(this.repeatStatement) },
        { ALT: () => this.SUBRULE(this.returnStatement) },
        { ALT: () => this.SUBRULE(this.tryStatement) },
        { ALT: () => this.SUBRULE(this.sleepStatement) },
        { ALT: () => this.SUBRULE(this.logStatement) },
        { ALT: () => this.SUBRULE(this.parallelBlock) },
        { ALT: () => this.SUBRULE(this.doBlock) },
        { ALT: () => this.SUBRULE(this.failStatement) },
        { ALT: () => this.SUBRULE(this.expressionStatement) },
      ],
    });
  });

  private letStatement = this.RULE('letStatement', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Let) }, { ALT: () => this.CONSUME(T.Var) }]);
    this.CONSUME(T.Identifier);
    this.OPTION(() => { this.CONSUME(T.Colon); this.SUBRULE(this.type); });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  private assignStatement = this.RULE('assignStatement', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  private ifStatement = this.RULE('ifStatement', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.block);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([{ ALT: () => this.SUBRULE(this.ifStatement) }, { ALT: () => this.SUBRULE2(this.block) }]);
    });
  });

  /** `for x in xs { … }`, `parallel for …`, and the list forms `for x in xs => value`. */
  private forStatement = this.RULE('forStatement', () => {
    this.SUBRULE(this.forHead);
    this.OR([
      { ALT: () => this.SUBRULE(this.block) },
      { ALT: () => { this.CONSUME(T.Arrow); this.SUBRULE(this.expression); } },
    ]);
  });

  private forHead = this.RULE('forHead', () => {
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Parallel) }, { ALT: () => this.CONSUME(T.Race) }]));
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.expression);
    this.OPTION2(() => { this.CONSUME(T.Where); this.SUBRULE2(this.expression, { LABEL: 'filter' }); });
  });

  private repeatStatement = this.RULE('repeatStatement', () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.expression);
    this.CONSUME(T.Times);
    this.SUBRULE(this.block);
  });

  private returnStatement = this.RULE('returnStatement', () => {
    this.CONSUME(T.Return);
    this.OPTION({ GATE: () => this.sameLine() && this.LA(1).tokenType !== T.RCurly, DEF: () => this.SUBRULE(this.expression) });
  });

  private tryStatement = this.RULE('tryStatement', () => {
    this.CONSUME(T.Try);
    this.SUBRULE(this.block);
    this.AT_LEAST_ONE(() => this.SUBRULE(this.catchClause));
  });

  private catchClause = this.RULE('catchClause', () => {
    this.CONSUME(T.Catch);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.stringLiteral) });
    this.OPTION(() => { this.CONSUME(T.As); this.CONSUME(T.Identifier); });
    this.SUBRULE(this.block);
  });

  private sleepStatement = this.RULE('sleepStatement', () => {
    this.CONSUME(T.Sleep);
    this.SUBRULE(this.expression);
  });

  private logStatement = this.RULE('logStatement', () => {
    this.CONSUME(T.Log);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
  });

  private parallelBlock = this.RULE('parallelBlock', () => {
    this.CONSUME(T.Parallel);
    this.SUBRULE(this.block);
  });

  private doBlock = this.RULE('doBlock', () => {
    this.CONSUME(T.Do);
    this.SUBRULE(this.block);
  });

  private failStatement = this.RULE('failStatement', () => {
    this.CONSUME(T.Fail);
    this.SUBRULE(this.expression);
    this.OPTION(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.expression); });
  });

  private expressionStatement = this.RULE('expressionStatement', () => {
    this.SUBRULE(this.expression);
  });

  // ---- expressions ----------------------------------------------------------------------------

  /**
   * `operand (operator operand)*`, flat: precedence and associativity are applied by the AST
   * builder (precedence climbing, build-ast.ts), which keeps the parse tree shallow: a grammar
   * level per precedence would make every literal nine rules deep.
   */
  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.CONSUME(T.BinaryOperator);
      this.SUBRULE2(this.operand);
    });
  });

  /** Prefix operators, then a value with its suffixes: `not x.done`, `-total`. */
  private operand = this.RULE('operand', () => {
    this.MANY(() => this.OR([{ ALT: () => this.CONSUME(T.Not, { LABEL: 'prefix' }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: 'prefix' }) }]));
    this.SUBRULE(this.postfix);
  });

  /**
   * A value and its suffixes: `.field`, `[index]`, `(arguments)`. The values are inlined here
   * rather than in a rule of their own, and `.field` is two tokens rather than a rule: every
   * value of a program passes through this rule, so each level saved is felt in compile time.
   */
  private postfix = this.RULE('postfix', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Duration) },
      { ALT: () => this.SUBRULE(this.stringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Null) },
      { ALT: () => this.CONSUME(T.Input) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.SUBRULE(this.listLiteral) },
      { ALT: () => this.SUBRULE(this.recordLiteral) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      { ALT: () => this.SUBRULE(this.waitExpression) },
      { ALT: () => this.SUBRULE(this.forExpression) },
    ]);
    this.MANY({
      // `.` may continue on the next line; `(` and `[` only on the same one.
      GATE: () => this.LA(1).tokenType === T.Dot || this.sameLine(),
      DEF: () =>
        this.OR2([
          { ALT: () => { this.CONSUME(T.Dot); this.CONSUME(T.Name, { LABEL: 'field' }); } },
          { ALT: () => this.SUBRULE(this.indexAccess, { LABEL: 'suffix' }) },
          { ALT: () => this.SUBRULE(this.callArguments, { LABEL: 'suffix' }) },
        ]),
    });
  });

  private indexAccess = this.RULE('indexAccess', () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RBracket);
  });

  private callArguments = this.RULE('callArguments', () => {
    this.CONSUME(T.LParen);
    this.MANY(() => {
      this.SUBRULE(this.argument);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  private argument = this.RULE('argument', () => {
    this.OPTION(() => { this.CONSUME(T.Name, { LABEL: 'argumentName' }); this.CONSUME(T.Colon); });
    this.SUBRULE(this.expression);
  });

  private parenthesized = this.RULE('parenthesized', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
  });

  /** `for x in xs => value` as a value: a list (or, with `race`, the first value to arrive). */
  private forExpression = this.RULE('forExpression', () => {
    this.SUBRULE(this.forHead);
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.expression);
  });

  private waitExpression = this.RULE('waitExpression', () => {
    this.CONSUME(T.Wait);
    this.CONSUME(T.For);
    this.CONSUME(T.Event);
    this.SUBRULE(this.expression, { LABEL: 'eventType' });
    this.OPTION(() => { this.CONSUME(T.Where); this.SUBRULE2(this.expression, { LABEL: 'match' }); });
    this.OPTION2(() => { this.CONSUME(T.Timeout); this.SUBRULE3(this.expression, { LABEL: 'timeout' }); });
  });

  public stringLiteral = this.RULE('stringLiteral', () => {
    this.CONSUME(T.StringStart);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME(T.StringText, { LABEL: 'part' }) },
        { ALT: () => this.CONSUME(T.StringEscape, { LABEL: 'part' }) },
        { ALT: () => this.SUBRULE(this.interpolation, { LABEL: 'part' }) },
      ]),
    );
    this.CONSUME(T.StringEnd);
  });

  private interpolation = this.RULE('interpolation', () => {
    this.CONSUME(T.InterpStart);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RCurly);
  });

  private listLiteral = this.RULE('listLiteral', () => {
    this.CONSUME(T.LBracket);
    this.MANY(() => {
      this.SUBRULE(this.listElement);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  private listElement = this.RULE('listElement', () => {
    this.OPTION(() => this.CONSUME(T.Spread));
    this.SUBRULE(this.expression);
  });

  public recordLiteral = this.RULE('recordLiteral', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.recordField);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  private recordField = this.RULE('recordField', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Spread); this.SUBRULE(this.expression, { LABEL: 'spread' }); } },
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Name, { LABEL: 'key' }) }, { ALT: () => this.SUBRULE(this.stringLiteral, { LABEL: 'quotedKey' }) }]);
          this.OPTION(() => { this.CONSUME(T.Colon); this.SUBRULE2(this.expression, { LABEL: 'value' }); });
        },
      },
    ]);
  });
}

/** One parser for the process: building one analyses the grammar, which costs milliseconds. */
let shared: DslParser | null = null;
export function dslParser(): DslParser {
  return (shared ??= new DslParser());
}

export interface ParseOutput {
  cst: CstNode;
  lexErrors: { offset: number; line: number; column: number; length: number; message: string }[];
  parseErrors: IRecognitionException[];
  tokens: IToken[];
}

/** Lexes and parses a whole file; never throws for bad input. */
export function parseDsl(text: string): ParseOutput {
  const lexed = T.dslLexer.tokenize(text);
  const parser = dslParser();
  parser.input = lexed.tokens;
  const cst = parser.program();
  return {
    cst,
    lexErrors: lexed.errors.map((e) => ({ offset: e.offset, line: e.line ?? 1, column: e.column ?? 1, length: e.length, message: e.message })),
    parseErrors: [...parser.errors],
    tokens: lexed.tokens,
  };
}

export type { TokenType };
