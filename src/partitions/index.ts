/**
 * Monthly partitions of `audit_log` (or any table RANGE-partitioned by one timestamp column).
 *
 * @example
 * import { ensurePartitions, describePartitions } from './partitions/index.js';
 * const report = await ensurePartitions(client, { ahead: 3 });
 * console.log(report.summary);
 */
export * from './months.js';
export * from './bounds.js';
export * from './plan.js';
export * from './errors.js';
export * from './ensure.js';
