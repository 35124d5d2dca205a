/**
 * The generic server side of the contract: validates a request's method name and the kinds of
 * its arguments, and calls the implementation. Errors become one-line messages for the interface.
 */
import { argumentsProblem, isApiMethod, type ApiResponseMessage, type WorkbenchApi } from './contract.ts';

export async function dispatch(
  api: WorkbenchApi,
  id: number,
  method: unknown,
  args: unknown,
): Promise<ApiResponseMessage> {
  if (!isApiMethod(method))
    return { kind: 'response', id, ok: false, error: `unknown method ${String(method)}` };
  if (!Array.isArray(args))
    return { kind: 'response', id, ok: false, error: `arguments of ${method} must be a list` };
  const problem = argumentsProblem(method, args);
  if (problem) return { kind: 'response', id, ok: false, error: problem };
  try {
    const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
    const result = await fn.apply(api, args);
    return { kind: 'response', id, ok: true, result: result ?? null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'response', id, ok: false, error: message.split('\n')[0]! };
  }
}
