import type { Migration } from '../db/sqlite';

/**
 * Typed storage of custom attributes and tags (issue #22, scale).
 *
 * `customer_facts.attrs` (JSON object) and `customer_facts.tags` (JSON array) stay the
 * source of truth (explain, the customer page and exports read them). Side tables hold
 * the same values already typed, so a segment rule reads an indexed row instead of
 * re-parsing the JSON for every customer:
 *
 * - `customer_attr(customer_id, key, num, bool, text)`: one row per attribute with a
 *   scalar value, read the way the segment semantics read it (compile.ts):
 *   num  = JSON numbers, and numeric text /^-?\d+(\.\d+)?$/ as REAL;
 *   bool = JSON true/false, the numbers 1/0, the text true/false/1/0/yes/no;
 *   text = JSON text only. A column is NULL where that reading is empty. The attribute's
 *   type (attribute_catalog) picks the column, so a type change needs no rewrite.
 * - `customer_tag(customer_id, tag)`: the text elements of the tags array, lower-cased
 *   with SQLite's lower() (ASCII), as the rules compare them.
 *
 * Triggers on customer_facts keep both in step with every writer (facts recompute, the
 * CSV import through it, tests and bench that write facts directly), in the same
 * transaction. The facts are written with INSERT OR REPLACE, whose implicit delete fires
 * no trigger, so the insert trigger first drops the customer's old rows.
 */

const SAFE_ATTRS = (c: string) => `CASE WHEN json_valid(${c}) AND json_type(${c}) = 'object' THEN ${c} ELSE '{}' END`;
const SAFE_TAGS = (c: string) => `CASE WHEN json_valid(${c}) AND json_type(${c}) = 'array' THEN ${c} ELSE '[]' END`;

const NUMERIC_TEXT = `(j.value GLOB '[0-9]*' OR j.value GLOB '-[0-9]*') AND substr(j.value, 2) NOT GLOB '*[^0-9.]*' AND j.value NOT GLOB '*.*.*' AND j.value NOT GLOB '*.'`;

/** The typed readings of one json_each row `j` of the attrs object (num, bool, text). */
const TYPED = `
        CASE j.type WHEN 'integer' THEN j.value WHEN 'real' THEN j.value
          WHEN 'text' THEN (CASE WHEN ${NUMERIC_TEXT} THEN CAST(j.value AS REAL) END) END AS num,
        CASE j.type WHEN 'true' THEN 1 WHEN 'false' THEN 0
          WHEN 'integer' THEN (CASE j.value WHEN 1 THEN 1 WHEN 0 THEN 0 END)
          WHEN 'real' THEN (CASE j.value WHEN 1 THEN 1 WHEN 0 THEN 0 END)
          WHEN 'text' THEN (CASE WHEN lower(j.value) IN ('true', '1', 'yes') THEN 1 WHEN lower(j.value) IN ('false', '0', 'no') THEN 0 END) END AS bool,
        CASE j.type WHEN 'text' THEN j.value END AS text`;
const SCALAR = `('integer', 'real', 'text', 'true', 'false')`;

/**
 * The statements that rewrite one customer's typed rows from NEW.attrs / NEW.tags.
 * A key repeated in the JSON text reads as its first occurrence (as json_extract does):
 * GROUP BY with min(j.id) takes the bare columns from that row. No conflict clause is
 * used, so the outer statement's (INSERT OR REPLACE) cannot change which one wins.
 */
const writeAttrs = `
    DELETE FROM customer_attr WHERE customer_id = NEW.customer_id;
    INSERT INTO customer_attr (customer_id, key, num, bool, text)
      SELECT NEW.customer_id, key, num, bool, text FROM (
        SELECT j.key AS key, min(j.id) AS first, j.type AS type, ${TYPED}
        FROM json_each(${SAFE_ATTRS('NEW.attrs')}) AS j GROUP BY j.key
      ) WHERE type IN ${SCALAR};`;

const writeTags = `
    DELETE FROM customer_tag WHERE customer_id = NEW.customer_id;
    INSERT INTO customer_tag (tag, customer_id)
      SELECT DISTINCT lower(j.value), NEW.customer_id FROM json_each(${SAFE_TAGS('NEW.tags')}) AS j WHERE j.type = 'text';`;

/** Fills the side tables from the facts rows as they are (migration 20). */
export const BACKFILL_SQL = `
    -- Backfill the existing facts. No outer statement here, so OR IGNORE keeps a repeated key's
    -- first occurrence (in document order); keys without a scalar value are dropped afterwards.
    INSERT OR IGNORE INTO customer_attr (customer_id, key, num, bool, text)
      SELECT f.customer_id, j.key, ${TYPED}
      FROM customer_facts AS f, json_each(${SAFE_ATTRS('f.attrs')}) AS j;
    DELETE FROM customer_attr WHERE num IS NULL AND bool IS NULL AND text IS NULL;
    INSERT OR IGNORE INTO customer_tag (tag, customer_id)
      SELECT lower(j.value), f.customer_id FROM customer_facts AS f, json_each(${SAFE_TAGS('f.tags')}) AS j WHERE j.type = 'text';
`;

export const typedAttrsMigration: Migration = {
  version: 20,
  name: 'typed custom attributes and tags in indexed side tables (#22)',
  up: `
    -- num has no declared type: JSON integers stay integers (exact beyond 2^53), text numbers are REAL.
    CREATE TABLE customer_attr (
      customer_id TEXT NOT NULL, key TEXT NOT NULL, num, bool INTEGER, text TEXT,
      PRIMARY KEY (customer_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX customer_attr_num ON customer_attr(key, num) WHERE num IS NOT NULL;
    CREATE TABLE customer_tag (tag TEXT NOT NULL, customer_id TEXT NOT NULL, PRIMARY KEY (tag, customer_id)) WITHOUT ROWID;
    CREATE INDEX customer_tag_customer ON customer_tag(customer_id);

    CREATE TRIGGER customer_typed_insert AFTER INSERT ON customer_facts BEGIN ${writeAttrs} ${writeTags}
    END;
    CREATE TRIGGER customer_attr_update AFTER UPDATE OF customer_id, attrs ON customer_facts
      WHEN OLD.attrs IS NOT NEW.attrs OR OLD.customer_id IS NOT NEW.customer_id BEGIN
      DELETE FROM customer_attr WHERE customer_id = OLD.customer_id; ${writeAttrs}
    END;
    CREATE TRIGGER customer_tag_update AFTER UPDATE OF customer_id, tags ON customer_facts
      WHEN OLD.tags IS NOT NEW.tags OR OLD.customer_id IS NOT NEW.customer_id BEGIN
      DELETE FROM customer_tag WHERE customer_id = OLD.customer_id; ${writeTags}
    END;
    CREATE TRIGGER customer_typed_delete AFTER DELETE ON customer_facts BEGIN
      DELETE FROM customer_attr WHERE customer_id = OLD.customer_id;
      DELETE FROM customer_tag WHERE customer_id = OLD.customer_id;
    END;

    ${BACKFILL_SQL}
  `,
};
