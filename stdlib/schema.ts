import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { defineAction, type ActionDefinition, type ActionSpec, type JsonSchema } from '../runtime/index.js';

/**
 * Action schemas are written once, with TypeBox, and serve four uses: the host validates
 * arguments against them (Ajv), `alice types` and the DSL declare the actions from them, the
 * manifest and the catalog text an LLM reads show them, and TypeScript infers `run`'s argument
 * and result types from them. TypeBox builds plain JSON Schema (draft-07) objects, so nothing
 * is translated between these uses.
 */
export { Type };
export type { Static, TSchema };

/** An action spec whose input and output are TypeBox schemas; `run` is typed from them. */
export interface StdActionSpec<I extends TSchema, O extends TSchema> extends Omit<ActionSpec<Static<I>, Static<O>>, 'input' | 'output'> {
  input: I;
  output: O;
}

/**
 * Defines a standard action from TypeBox schemas.
 *
 * @example
 * const Input = Type.Object({ key: Type.String() }, { additionalProperties: false });
 * stdAction({ name: 'kv.get', input: Input, output: Type.Unknown(), run: ({ key }, ctx) => table.get(ctx.tenant, key) });
 */
export function stdAction<I extends TSchema, O extends TSchema>(spec: StdActionSpec<I, O>): ActionDefinition<Static<I>, Static<O>> {
  return defineAction<Static<I>, Static<O>>({ ...spec, input: plainSchema(spec.input), output: plainSchema(spec.output) });
}

/** The schema as plain JSON: TypeBox's symbol-keyed markers stay out of manifests and hashes. */
export function plainSchema(schema: TSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}
