/**
 * The filter tree as a builder: groups joined by and/or, nested up to the server's depth,
 * each condition a field (a known one, or any tag key), an operator and values. Edits stay
 * a draft until applied, which writes the tree to the URL.
 */
import { type FormEvent, useId, useState } from "react";
import { Button } from "../../components/button.tsx";
import {
  type FieldType,
  FILTER_OPS,
  type FilterCondition,
  type FilterGroup,
  type FilterItem,
  type FilterOp,
  MAX_FILTER_DEPTH,
  OP_LABELS,
  opsFor,
  pruneFilters,
  takesManyValues,
  takesNoValue,
} from "../../lib/span_filters.ts";
import type { FieldMeta } from "./api.ts";

/** Props of FilterBuilder. */
export interface FilterBuilderProps {
  value: FilterGroup;
  fields: FieldMeta[];
  onApply: (g: FilterGroup) => void;
  onClose: () => void;
}

const newCondition = (): FilterCondition => ({
  kind: "cond",
  field: "",
  type: "string",
  op: "eq",
  values: [],
});

/** The builder. */
export function FilterBuilder({ value, fields, onApply, onClose }: FilterBuilderProps) {
  const [draft, setDraft] = useState<FilterGroup>(() =>
    value.items.length ? value : { ...value, items: [newCondition()] }
  );
  const listId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(pruneFilters(draft));
  };
  return (
    <form className="card stack" aria-label="Filter builder" onSubmit={submit}>
      <datalist id={listId}>
        {fields.map((f) => <option key={f.name} value={f.name}>{f.type}</option>)}
      </datalist>
      <GroupEditor group={draft} depth={1} fields={fields} listId={listId} onChange={setDraft} />
      <div className="row">
        <Button type="submit" variant="primary">Apply filters</Button>
        <Button onClick={() => onApply({ kind: "group", rel: "and", items: [] })}>Clear all</Button>
        <Button variant="ghost" onClick={onClose}>Close</Button>
      </div>
    </form>
  );
}

interface EditorProps {
  depth: number;
  fields: FieldMeta[];
  listId: string;
}

function GroupEditor(
  { group, onChange, onRemove, ...rest }: EditorProps & {
    group: FilterGroup;
    onChange: (g: FilterGroup) => void;
    onRemove?: () => void;
  },
) {
  const set = (i: number, it: FilterItem) =>
    onChange({ ...group, items: group.items.map((x, j) => (j === i ? it : x)) });
  const remove = (i: number) =>
    onChange({ ...group, items: group.items.filter((_, j) => j !== i) });
  return (
    <div className="filter-group" role="group" aria-label={`Filter group (${group.rel})`}>
      <div className="row">
        <select
          className="select input-sm"
          aria-label="Match"
          value={group.rel}
          onChange={(e) => onChange({ ...group, rel: e.target.value as "and" | "or" })}
        >
          <option value="and">All of (and)</option>
          <option value="or">Any of (or)</option>
        </select>
        {onRemove && (
          <Button size="sm" variant="ghost" onClick={onRemove} aria-label="Remove group">
            Remove group
          </Button>
        )}
      </div>
      {group.items.map((it, i) =>
        it.kind === "cond"
          ? (
            <ConditionEditor
              key={i}
              cond={it}
              {...rest}
              onChange={(c) => set(i, c)}
              onRemove={() => remove(i)}
            />
          )
          : (
            <GroupEditor
              key={i}
              group={it}
              {...rest}
              depth={rest.depth + 1}
              onChange={(g) => set(i, g)}
              onRemove={() => remove(i)}
            />
          )
      )}
      <div className="row">
        <Button
          size="sm"
          onClick={() => onChange({ ...group, items: [...group.items, newCondition()] })}
        >
          + Condition
        </Button>
        {rest.depth < MAX_FILTER_DEPTH && (
          <Button
            size="sm"
            onClick={() =>
              onChange({
                ...group,
                items: [...group.items, {
                  kind: "group",
                  rel: group.rel === "and" ? "or" : "and",
                  items: [newCondition()],
                }],
              })}
          >
            + Group
          </Button>
        )}
      </div>
    </div>
  );
}

function ConditionEditor(
  { cond, fields, listId, onChange, onRemove }: EditorProps & {
    cond: FilterCondition;
    onChange: (c: FilterCondition) => void;
    onRemove: () => void;
  },
) {
  const known = fields.find((f) => f.name === cond.field);
  const ops = known ? FILTER_OPS.filter((o) => known.ops.includes(o)) : opsFor(cond.type);
  const parse = (t: string) =>
    takesManyValues(cond.op)
      ? t.split(",").map((v) => v.trim()).filter((v) => v !== "")
      : [t.trim()];
  // The text as typed while it says what the values are (rows shift when one is removed).
  const [text, setText] = useState(cond.values.join(", "));
  const parsed = parse(text);
  const shown = parsed.length === cond.values.length &&
      parsed.every((v, i) => v === cond.values[i])
    ? text
    : cond.values.join(", ");
  const setValues = (t: string) => {
    setText(t);
    onChange({ ...cond, values: parse(t) });
  };
  const setField = (name: string) => {
    const meta = fields.find((f) => f.name === name);
    const type = meta?.type ?? cond.type;
    const allowed = meta ? meta.ops : opsFor(type);
    onChange({ ...cond, field: name, type, op: allowed.includes(cond.op) ? cond.op : "eq" });
  };
  const setOp = (op: FilterOp) => {
    const values = takesManyValues(op) ? cond.values : cond.values.slice(0, 1);
    setText(values.join(", "));
    onChange({ ...cond, op, values: takesNoValue(op) ? [] : values });
  };
  const choice = cond.field === "status"
    ? ["success", "error"]
    : cond.type === "bool"
    ? ["true", "false"]
    : undefined;
  return (
    <div className="filter-row" role="group" aria-label="Condition">
      <input
        className="input"
        aria-label="Field"
        placeholder="Field or tag key"
        list={listId}
        value={cond.field}
        onChange={(e) => setField(e.target.value)}
      />
      <select
        className="select"
        aria-label="Type"
        value={cond.type}
        disabled={!!known}
        onChange={(e) => onChange({ ...cond, type: e.target.value as FieldType, op: "eq" })}
      >
        {(["string", "long", "double", "bool"] as const).map((t) => (
          <option key={t} value={t}>{t}</option>
        ))}
      </select>
      <select
        className="select"
        aria-label="Operator"
        value={cond.op}
        onChange={(e) => setOp(e.target.value as FilterOp)}
      >
        {ops.map((o) => <option key={o} value={o}>{OP_LABELS[o]}</option>)}
      </select>
      {!takesNoValue(cond.op) && (choice && !takesManyValues(cond.op)
        ? (
          <select
            className="select"
            aria-label="Value"
            value={cond.values[0] ?? ""}
            onChange={(e) => onChange({ ...cond, values: [e.target.value] })}
          >
            <option value="" disabled>Choose…</option>
            {choice.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
        )
        : (
          <input
            className="input"
            aria-label="Value"
            placeholder={takesManyValues(cond.op) ? "values, comma-separated" : "value"}
            value={shown}
            onChange={(e) => setValues(e.target.value)}
          />
        ))}
      <Button size="sm" variant="ghost" aria-label="Remove condition" onClick={onRemove}>
        ✕
      </Button>
    </div>
  );
}
