/**
 * Dependency order of views: a view is created after every view it reads. Pure.
 */
import type { ViewRow } from './model.js';

/**
 * The views sorted so each comes after the views it uses; among those ready at the same time,
 * by name, so the order is the same on every run. A cycle (impossible in PostgreSQL, but cheap
 * to survive) ends the walk with the rest by name.
 */
export function viewsInDependencyOrder(views: readonly ViewRow[]): ViewRow[] {
  const byName = new Map(views.map((view) => [view.name, view]));
  const waitingOn = new Map(views.map((view) => [view.name, new Set(view.uses.filter((used) => used !== view.name && byName.has(used)))]));
  const ordered: ViewRow[] = [];
  while (waitingOn.size > 0) {
    const ready = [...waitingOn].filter(([, uses]) => uses.size === 0).map(([name]) => name);
    const next = (ready.length > 0 ? ready : [...waitingOn.keys()]).sort(compareText)[0] as string;
    ordered.push(byName.get(next) as ViewRow);
    waitingOn.delete(next);
    for (const uses of waitingOn.values()) uses.delete(next);
  }
  return ordered;
}

/** Code-point order: the same under every locale (localeCompare is not). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
