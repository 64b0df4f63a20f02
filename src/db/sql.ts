// Statement text for each SQL dialect from the DB API's arguments. Names are
// quoted (so `domain`, `time`, `grp`... are safe everywhere); values always
// travel as parameters, never spliced into the text.
import type { DbScheme } from './url.js';
import type { DbQuery, DbRow, DbValue, DbWhere, Stmt } from './types.js';

const OPS = new Set(['=', '<', '>', '<=', '>=', '!=', '<>', 'LIKE']);

export class SqlDialect {
  constructor(readonly scheme: DbScheme) {}

  /** A quoted identifier ("x" for SQLite and PostgreSQL, `x` for MySQL). */
  id(name: string): string {
    return this.scheme === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`;
  }

  /** The n-th (1-based) parameter placeholder. */
  ph(n: number): string {
    return this.scheme === 'postgres' ? `$${n}` : '?';
  }

  private where(w: Partial<DbWhere>, params: DbValue[]): string {
    const keys = w.keys ?? [];
    if (!keys.length) return '';
    const parts = keys.map((k, i) => {
      const op = w.ops?.[i] ?? '=';
      if (!OPS.has(op)) throw new Error(`bad operator ${op}`);
      const v = w.vals?.[i] ?? null;
      if (v === null && (op === '=' || op === '!=' || op === '<>'))
        return `${this.id(k)} IS ${op === '=' ? '' : 'NOT '}NULL`;
      params.push(v);
      return `${this.id(k)} ${op} ${this.ph(params.length)}`;
    });
    return ` WHERE ${parts.join(' AND ')}`;
  }

  query(table: string, q: DbQuery): Stmt {
    const params: DbValue[] = [];
    const cols = q.cols?.length ? q.cols.map((c) => this.id(c)).join(', ') : '*';
    let text = `SELECT ${cols} FROM ${this.id(table)}${this.where(q, params)}`;
    if (q.order) {
      const [col, dir] = q.order.trim().split(/\s+/);
      text += ` ORDER BY ${this.id(col)}${/^desc$/i.test(dir ?? '') ? ' DESC' : ''}`;
    }
    if (q.limit !== undefined) text += ` LIMIT ${Math.max(0, Math.floor(q.limit))}`;
    return { text, params, kind: 'rows' };
  }

  insert(table: string, row: DbRow): Stmt {
    const cols = Object.keys(row);
    const params = cols.map((c) => row[c]);
    const text = `INSERT INTO ${this.id(table)} (${cols.map((c) => this.id(c)).join(', ')}) VALUES (${cols.map((_, i) => this.ph(i + 1)).join(', ')})`;
    return { text, params, kind: 'run' };
  }

  /** Insert, or overwrite the row with the same `keyCols` (MySQL's REPLACE; PostgreSQL has none, so ON CONFLICT). */
  replace(table: string, row: DbRow, keyCols: readonly string[]): Stmt {
    const cols = Object.keys(row);
    const params = cols.map((c) => row[c]);
    const names = cols.map((c) => this.id(c)).join(', ');
    const values = cols.map((_, i) => this.ph(i + 1)).join(', ');
    if (this.scheme === 'mysql')
      return { text: `REPLACE INTO ${this.id(table)} (${names}) VALUES (${values})`, params, kind: 'run' };
    if (this.scheme === 'sqlite')
      return { text: `INSERT OR REPLACE INTO ${this.id(table)} (${names}) VALUES (${values})`, params, kind: 'run' };
    const set = cols
      .filter((c) => !keyCols.includes(c))
      .map((c) => `${this.id(c)} = EXCLUDED.${this.id(c)}`)
      .join(', ');
    const conflict = `ON CONFLICT (${keyCols.map((c) => this.id(c)).join(', ')}) DO ${set ? `UPDATE SET ${set}` : 'NOTHING'}`;
    return { text: `INSERT INTO ${this.id(table)} (${names}) VALUES (${values}) ${conflict}`, params, kind: 'run' };
  }

  update(table: string, where: Partial<DbWhere>, set: DbRow): Stmt {
    const params: DbValue[] = [];
    const sets = Object.keys(set).map((c) => {
      params.push(set[c]);
      return `${this.id(c)} = ${this.ph(params.length)}`;
    });
    return { text: `UPDATE ${this.id(table)} SET ${sets.join(', ')}${this.where(where, params)}`, params, kind: 'run' };
  }

  delete(table: string, where: Partial<DbWhere>): Stmt {
    const params: DbValue[] = [];
    return { text: `DELETE FROM ${this.id(table)}${this.where(where, params)}`, params, kind: 'run' };
  }
}
