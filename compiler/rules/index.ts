import noDynamicActionAccess from './no-dynamic-action-access.js';
import noDynamicCode from './no-dynamic-code.js';
import noFloatingActions from './no-floating-actions.js';
import noForeignImports from './no-foreign-imports.js';
import noGlobalMutation from './no-global-mutation.js';
import noHostGlobals from './no-host-globals.js';
import noLocale from './no-locale.js';
import noModuleState from './no-module-state.js';
import noRandom from './no-random.js';
import noSwallowedSuspend from './no-swallowed-suspend.js';
import noTypeSuppression from './no-type-suppression.js';
import noWallClock from './no-wall-clock.js';
import noWeakOrSharedMemory from './no-weak-or-shared-memory.js';
import type { Rule } from './rule.js';
import workflowShape from './workflow-shape.js';

/** Every rule `alice check` runs, in id order. A registry test checks each has docs and cases. */
export const rules: readonly Rule[] = [
  noDynamicActionAccess,
  noDynamicCode,
  noFloatingActions,
  noForeignImports,
  noGlobalMutation,
  noHostGlobals,
  noLocale,
  noModuleState,
  noRandom,
  noSwallowedSuspend,
  noTypeSuppression,
  noWallClock,
  noWeakOrSharedMemory,
  workflowShape,
];

export { defineRule, ruleName } from './rule.js';
export type { Reference, Rule, RuleContext, RuleVisitors } from './rule.js';
