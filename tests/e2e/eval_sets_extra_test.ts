/**
 * Evaluation set routes around files and templates, over HTTP (both modes): templates with
 * their schemas, a set created with an import of an uploaded CSV (job waited for, items
 * read back), a file parsed for its columns and first rows (CSV and JSON Lines), multi-modal
 * references checked, items validated through the data API; workspace isolation and bad
 * input on each (an error, nothing created or changed).
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import { D, upload } from "./_datasets.ts";
import { waitJob } from "./_io.ts";

const E = "/api/evaluation/v1/evaluation_sets";
const enc = new TextEncoder();
/** What a field schema says, without what the server adds. */
const pick = (f: Record<string, unknown>) => ({
  key: f.key,
  name: f.name,
  content_type: f.content_type,
  default_display_format: f.default_display_format,
  text_schema: f.text_schema,
  schema_key: f.schema_key,
  multi_model_spec: f.multi_model_spec,
});

serverTest(
  "e2e evaluation sets: templates, create_with_import, file parsing, checks",
  async (t, { server, u, other, ws, q: qs, call }) => {
    const setNames = async () => {
      const l = await call(`${E}/list`, { ...ws, page_size: 100 });
      assert.equal(l.body.code, 0, JSON.stringify(l.body));
      return l.body.evaluation_sets.map((s: { name: string }) => s.name).sort();
    };
    const csv = "question,answer,pic\n" +
      "2+2?,4,https://example.com/a.png\n" +
      '"multi\nline",yes,https://example.com/b.png\n' +
      'capital of France?,Paris,""\n';
    await upload(server, u, "extra/qa.csv", enc.encode(csv));

    await t.step("templates: schemas of our own, paged", async () => {
      const r = await call(`${E}/templates/list`, ws);
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      assert.ok(r.body.templates.length >= 2);
      assert.equal(r.body.total, `${r.body.templates.length}`);
      const names = r.body.templates.map((x: { template_dataset_name: string }) =>
        x.template_dataset_name
      );
      assert.ok(names.includes("General Q&A"), names.join());
      const mm = r.body.templates.find((x: { template_dataset_name: string }) =>
        x.template_dataset_name === "Multi-modal Q&A"
      );
      const types = mm.evaluation_set_schema.field_schemas.map((f: { content_type: string }) =>
        f.content_type
      );
      assert.deepEqual(types, ["MultiPart", "Text"]);
      const p1 = await call(`${E}/templates/list`, { ...ws, page_size: 1 });
      assert.equal(p1.body.templates.length, 1);
      assert.equal(p1.body.next_page_token, "1");
      const p2 = await call(`${E}/templates/list`, { ...ws, page_size: 1, page_token: "1" });
      assert.equal(
        p2.body.templates[0].template_dataset_id,
        r.body.templates[1].template_dataset_id,
      );
      // A template's fields create a set as they are.
      const qa = r.body.templates[0];
      const c = await call(E, {
        ...ws,
        name: "from template",
        evaluation_set_schema: qa.evaluation_set_schema,
      });
      assert.equal(c.body.code, 0, JSON.stringify(c.body));
    });

    await t.step("create with template_dataset_id: the template's schema", async () => {
      const list = await call(`${E}/templates/list`, ws);
      for (const tpl of list.body.templates) {
        const c = await call(E, {
          ...ws,
          name: `tpl ${tpl.template_dataset_id}`,
          template_dataset_id: tpl.template_dataset_id,
        });
        assert.equal(c.body.code, 0, JSON.stringify(c.body));
        const g = await call(`${E}/${c.body.evaluation_set_id}?${qs}`, undefined, "GET");
        const fields = g.body.evaluation_set.evaluation_set_version.evaluation_set_schema
          .field_schemas;
        assert.deepEqual(
          fields.map(pick),
          tpl.evaluation_set_schema.field_schemas.map(pick),
          tpl.template_dataset_name,
        );
      }
      // An editable template with the caller's edited fields: those fields.
      const edited = await call(E, {
        ...ws,
        name: "tpl edited",
        template_dataset_id: "1",
        evaluation_set_schema: { field_schemas: [{ name: "prompt", content_type: "Text" }] },
      });
      assert.equal(edited.body.code, 0, JSON.stringify(edited.body));
      const g = await call(`${E}/${edited.body.evaluation_set_id}?${qs}`, undefined, "GET");
      assert.deepEqual(
        g.body.evaluation_set.evaluation_set_version.evaluation_set_schema.field_schemas
          .map((f: { name: string }) => f.name),
        ["prompt"],
      );
    });

    await t.step("create_with_import: a set, a job, the file's rows as items", async () => {
      const r = await call(`${E}/create_with_import`, {
        ...ws,
        name: "imported set",
        description: "from a CSV",
        evaluation_set_schema: {
          field_schemas: [
            { name: "input", content_type: "Text" },
            { name: "reference_output", content_type: "Text" },
          ],
        },
        source_type: 1,
        source: { file: { provider: 5, path: "extra/qa.csv", format: 3 } },
        fieldMappings: [
          { source: "question", target: "input" },
          { source: "answer", target: "reference_output" },
        ],
      });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      const id = r.body.evaluation_set_id;
      const job = await waitJob(server, u, r.body.job_id);
      assert.equal(job.status, 3, JSON.stringify(job));
      assert.equal(job.dataset_id, id);
      assert.equal(job.progress.added, "3");
      const l = await call(`${E}/${id}/items/list`, { ...ws, page_size: 10 });
      assert.equal(l.body.total, "3");
      const inputs = l.body.items.map((it: {
        turns: { field_data_list: { name: string; content: { text: string } }[] }[];
      }) => it.turns[0].field_data_list.find((f) => f.name === "input")?.content.text);
      assert.deepEqual(inputs.sort(), ["2+2?", "capital of France?", "multi\nline"]);
      const g = await call(`${E}/${id}?workspace_id=${u.spaceId}`, undefined, "GET");
      assert.equal(g.body.evaluation_set.description, "from a CSV");
      const d = await call(`${D}/${id}?workspace_id=${u.spaceId}`, undefined, "GET");
      assert.equal(d.body.dataset.category, 4);
    });

    await t.step("parse_import_source_file: columns, first rows, URL columns", async () => {
      const r = await call(`${E}/parse_import_source_file`, {
        ...ws,
        file: { provider: 5, path: "extra/qa.csv" },
      });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      assert.equal(r.body.bytes, `${enc.encode(csv).length}`);
      assert.deepEqual(
        r.body.field_schemas.map((f: { name: string }) => f.name),
        ["question", "answer", "pic"],
      );
      assert.deepEqual(r.body.untyped_url_fields, ["pic"]);
      assert.deepEqual(r.body.precheck_data_by_field.question, [
        "2+2?",
        "multi\nline",
        "capital of France?",
      ]);
      assert.deepEqual(r.body.conflicts, []);
      const rows = Array.from(
        { length: 30 },
        (_, i) =>
          JSON.stringify(i % 2 ? { q: `q${i}`, meta: { n: i } } : { q: `q${i}`, meta: "plain" }),
      );
      await upload(server, u, "extra/rows.jsonl", enc.encode(rows.join("\n") + "\n"));
      const j = await call(`${E}/parse_import_source_file`, {
        ...ws,
        file: { provider: 5, path: "extra/rows.jsonl" },
      });
      assert.equal(j.body.code, 0, JSON.stringify(j.body));
      assert.deepEqual(j.body.field_schemas.map((f: { name: string }) => f.name), ["q", "meta"]);
      assert.equal(j.body.precheck_data_by_field.q.length, 10, "the first 10 rows only");
      assert.equal(j.body.precheck_data_by_field.meta[1], '{"n":1}');
      assert.deepEqual(j.body.files_with_ambiguous_column, ["rows.jsonl"]);
      assert.equal(j.body.conflicts[0].field_name, "meta");
      assert.equal(j.body.field_schemas[1].default_display_format, 3);
    });

    await t.step("multi_part_data/validate: stored objects pass, others say why", async () => {
      await upload(server, u, "extra/cat.png", new Uint8Array([137, 80, 78, 71]));
      const r = await call(`${E}/multi_part_data/validate`, {
        space_id: u.spaceId,
        preview_data: [
          "extra/cat.png",
          "extra/missing.png",
          "https://example.com/x.png",
          "a.txt",
        ],
        store_option: { content_type: 2 },
      });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      const [ok, missing, external, wrong] = r.body.attachment_urls_check_detail;
      assert.equal(ok.error_type, undefined, JSON.stringify(ok));
      assert.equal(ok.image.uri, "extra/cat.png");
      assert.ok(ok.image.url);
      assert.equal(missing.error_type, 12);
      assert.equal(external.error_type, 12);
      assert.match(external.err_msg, /upload/);
      assert.equal(wrong.error_type, 13);
    });

    await t.step("dataset_items/validate: valid indexes and grouped errors", async () => {
      const fields = [{ name: "a", content_type: 1 }, {
        name: "n",
        content_type: 1,
        schemaKey: 2,
      }];
      const items = [
        { data: [{ key: "a", content: "x" }, { key: "n", content: "1" }] },
        { data: [{ key: "n", content: "not a number" }] },
        { data: [{ key: "a", content: "y" }] },
      ];
      const r = await call("/api/data/v1/dataset_items/validate", {
        ...ws,
        dataset_fields: fields,
        items,
      });
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      assert.deepEqual(r.body.valid_item_indices, [0, 2]);
      assert.equal(r.body.errors[0].details[0].index, 1);
      const ds = await call(D, { ...ws, name: "checked", fields });
      const before = await call(`${D}/${ds.body.dataset_id}/items/list`, ws);
      const e = await call("/api/data/v1/dataset_items/validate", {
        ...ws,
        dataset_id: ds.body.dataset_id,
        items,
      });
      assert.deepEqual(e.body.valid_item_indices, [0, 2]);
      const after = await call(`${D}/${ds.body.dataset_id}/items/list`, ws);
      assert.equal(before.body.total, "0");
      assert.equal(after.body.total, "0", "nothing written");
    });

    await t.step("isolation and bad input: an error, nothing created", async () => {
      const names = await setNames();
      const schema = { field_schemas: [{ name: "input", content_type: "Text" }] };
      const importBody = (o: Record<string, unknown> = {}) => ({
        ...ws,
        name: "never",
        evaluation_set_schema: schema,
        source: { file: { provider: 5, path: "extra/qa.csv" } },
        fieldMappings: [{ source: "question", target: "input" }],
        ...o,
      });
      const routes: [string, unknown][] = [
        [`${E}/templates/list`, ws],
        [E, { ...ws, name: "never", template_dataset_id: "1" }],
        [`${E}/create_with_import`, importBody()],
        [`${E}/parse_import_source_file`, { ...ws, file: { provider: 5, path: "extra/qa.csv" } }],
        [`${E}/multi_part_data/validate`, {
          space_id: u.spaceId,
          preview_data: ["extra/cat.png"],
        }],
        ["/api/data/v1/dataset_items/validate", {
          ...ws,
          dataset_fields: [{ name: "a", content_type: 1 }],
          items: [{ data: [{ key: "a", content: "x" }] }],
        }],
      ];
      for (const [path, body] of routes) {
        const r = await post(server, path, body, other);
        assert.equal(r.body.code, 602000101, `${path}: ${JSON.stringify(r.body)}`);
      }
      const bad: [string, unknown][] = [
        [`${E}/templates/list`, { ...ws, page_token: "x" }],
        [`${E}/templates/list`, {}],
        [E, { ...ws, name: "never", template_dataset_id: "99" }],
        [E, { ...ws, name: "never", template_dataset_id: "x" }],
        [E, { ...ws, name: "never" }],
        [E, { ...ws, name: "never", evaluation_set_schema: { field_schemas: [] } }],
        [E, { ...ws, name: "", template_dataset_id: "1" }],
        [`${E}/create_with_import`, importBody({ fieldMappings: [] })],
        [
          `${E}/create_with_import`,
          importBody({
            fieldMappings: [{ source: "question", target: "nope" }],
          }),
        ],
        [`${E}/create_with_import`, importBody({ source: { file: { path: "extra/none.csv" } } })],
        [
          `${E}/create_with_import`,
          importBody({ source: { file: { path: "x.parquet", format: 2 } } }),
        ],
        [`${E}/create_with_import`, importBody({ name: "" })],
        [`${E}/parse_import_source_file`, { ...ws, file: { path: "extra/none.csv" } }],
        [`${E}/parse_import_source_file`, { ...ws, file: { path: "extra/qa.csv", provider: 1 } }],
        [`${E}/parse_import_source_file`, { ...ws }],
        [`${E}/multi_part_data/validate`, { space_id: u.spaceId, preview_data: [] }],
        [`${E}/multi_part_data/validate`, {
          space_id: u.spaceId,
          preview_data: ["a.png"],
          store_option: { content_type: 1 },
        }],
        ["/api/data/v1/dataset_items/validate", { ...ws, items: [{ data: [] }] }],
        ["/api/data/v1/dataset_items/validate", { ...ws, dataset_id: "1", items: [{}] }],
      ];
      for (const [path, body] of bad) {
        const r = await call(path, body);
        assert.notEqual(r.body.code, 0, `${path} ${JSON.stringify(body)}`);
        assert.ok(r.body.msg, `${path}: a message`);
      }
      assert.deepEqual(await setNames(), names, "no set was created by a refused request");
    });
  },
);
