/**
 * Monthly partitions of `audit_log` (or any table RANGE-partitioned by one timestamp column).
 *
 * @example
 * import { maintainPartitions, describePartitions } from './partitions/index.js';
 * const report = await maintainPartitions(client, { ahead: 3 });
 * console.log(report.summary);
 */
export * from './months.js';
export * from './bounds.js';
export * from './plan.js';
export * from './layout.js';
export * from './coverage.js';
export * from './errors.js';
export * from './types.js';
export * from './options.js';
export { maintainPartitions } from './ensure.js';
export { describePartitions } from './describe.js';
