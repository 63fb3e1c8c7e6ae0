// A figure from a scenario that answered nothing, or answered errors, measures nothing.
import { SCENARIOS } from './scenarios.mjs';

/** What of a run's results answered nothing or answered errors, one sentence each. */
export function incompleteFigures(results) {
  const failures = [];
  const check = (name, completed, errors) => {
    if (!(completed > 0)) failures.push(`${name}: no request completed`);
    if (errors > 0) failures.push(`${name}: ${errors} errors`);
  };
  const { limits, service } = results;
  if (limits.L2) check('L2', limits.L2.completed, 0);
  check('L1', service.L1.completed, service.L1.errors);
  for (const [key, result] of Object.entries(service.scenarios)) check(key, result.completed, result.errors);
  for (const scenario of SCENARIOS) {
    const result = service.scenarios[scenario.key];
    if (result && scenario.checks) for (const [name, completed, errors] of scenario.checks(result)) check(name, completed, errors);
  }
  if (service.uploadMemory) check('20 concurrent 2.8 MB uploads', service.uploadMemory.completed, service.uploadMemory.errors);
  return failures;
}
