import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type FunctionKey, functionArnPlaceholder, functions, stateMachines } from '../../functions/catalogue.ts';

const validate = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText(separator?: string): string };

interface State {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: unknown[];
  Catch?: { ErrorEquals: string[] }[];
  Parameters?: { FunctionName?: string };
  QueryLanguage?: string;
}

describe.each(Object.entries(stateMachines))('state machine %s', (_key, spec) => {
  const text = readFileSync(spec.definition, 'utf8');
  const definition = JSON.parse(text) as { States: Record<string, State>; QueryLanguage?: string };

  it('is valid Amazon States Language', () => {
    // asl-validator mutates its input: give it a copy.
    const result = validate(structuredClone(definition), { checkPaths: true, checkArn: false });
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses JSONPath only, which the local engine runs (it ignores JSONata)', () => {
    expect(text).not.toContain('JSONata');
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });

  it('gives every Task a timeout, a retry and a catch', () => {
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, state] of tasks) {
      expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, `${name} has no timeout`).toBeDefined();
      expect(state.Retry?.length, `${name} has no Retry`).toBeGreaterThan(0);
      expect(
        state.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')),
        `${name} catches nothing`,
      ).toBe(true);
    }
  });

  it('invokes exactly the catalogue functions it declares, through placeholders', () => {
    const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(spec.invokes.map((k: FunctionKey) => functionArnPlaceholder(k)).sort());
    for (const key of spec.invokes) expect(functions[key]).toBeDefined();
  });
});
