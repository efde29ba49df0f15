/**
 * Dataset imports over HTTP (both modes): CSV with a byte order mark, quoted newlines and bad
 * rows (error groups with row indices), GBK, JSON Lines with nested values, overwrite, a file
 * past the dataset's capacity, malformed files and missing columns (failed jobs with a
 * reason), the dataset's job list.
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import { allItems, D, texts } from "./_datasets.ts";
import { importAndWait, importFile, sameNames, textFields, waitJob } from "./_io.ts";

const enc = new TextEncoder();

serverTest(
  "e2e dataset imports: CSV, GBK, JSONL, bad rows, capacity, malformed files",
  async (t, { server, u, ws }) => {
    const create = async (fields: unknown[], extra: Record<string, unknown> = {}) => {
      const r = await post(server, D, {
        ...ws,
        name: `imp ${crypto.randomUUID().slice(0, 8)}`,
        fields,
        ...extra,
      }, u);
      assert.equal(r.body.code, 0, JSON.stringify(r.body));
      return r.body.dataset_id as string;
    };
    const fields = [
      { name: "question", content_type: 1 },
      { name: "n", content_type: 1, schemaKey: 2 },
      { name: "meta", content_type: 1 },
    ];
    const keyed = (items: { data: { key: string; content: string }[] }[]) =>
      items.map((it) => texts(it));

    await t.step("CSV: BOM, quoted newlines, bad rows grouped with their indices", async () => {
      const id = await create(fields);
      const csv = "\uFEFFQ,N,extra\r\n" +
        '"two\r\nlines",1,x\r\n' +
        "plain,not a number,y\r\n" +
        '"quoted, comma","2",z\r\n' +
        "too,many,columns,here\r\n" +
        ",,\r\n" +
        "last,3,w";
      const job = await importFile(server, u, id, {
        key: "imports/a.csv",
        bytes: enc.encode(csv),
        mappings: [{ source: "Q", target: "question" }, { source: "N", target: "n" }],
      });
      const done = await waitJob(server, u, job);
      assert.equal(done.status, 3, JSON.stringify(done));
      assert.deepEqual(done.progress, { total: "6", processed: "6", added: "3" });
      const byType = Object.fromEntries(
        done.errors.map((g: { type: number }) => [g.type, g]),
      );
      assert.equal(byType[1].error_count, 1);
      assert.equal(byType[1].details[0].index, 1);
      assert.match(byType[1].details[0].message, /"n"/);
      assert.equal(byType[5].details[0].index, 3);
      assert.equal(byType[2].details[0].index, 4, "an empty row");
      const { items } = await allItems(server, u, id);
      const values = keyed(items);
      assert.deepEqual(values.map((v) => v.question), ["two\r\nlines", "quoted, comma", "last"]);
      assert.deepEqual(values.map((v) => v.n), ["1", "2", "3"]);
      assert.match(items[0].item_key, new RegExp(`^job:${job}:row:0$`));
    });

    await t.step("GBK CSV; JSON Lines with nested values kept as JSON", async () => {
      const id = await create(fields);
      const gbk = new Uint8Array([
        ...enc.encode("question,n\n"),
        0xd6,
        0xd0,
        0xce,
        0xc4,
        ...enc.encode(",7\n"),
      ]);
      const a = await importAndWait(server, u, id, {
        key: "imports/gbk.csv",
        bytes: gbk,
        mappings: sameNames(["question", "n"]),
      });
      assert.equal(a.progress.added, "1", JSON.stringify(a));
      const jsonl = [
        JSON.stringify({ question: "q1", n: 5, meta: { tags: ["a", "b"], deep: { x: 1 } } }),
        "{broken",
        JSON.stringify({ question: "q2", meta: [1, 2] }),
      ].join("\n");
      const b = await importAndWait(server, u, id, {
        key: "imports/x.jsonl",
        bytes: enc.encode(jsonl),
        mappings: sameNames(["question", "n", "meta"]),
      });
      assert.equal(b.status, 3, JSON.stringify(b));
      assert.equal(b.progress.added, "2");
      assert.equal(b.errors[0].details[0].index, 1);
      const values = keyed((await allItems(server, u, id)).items);
      assert.equal(values[0].question, "中文");
      assert.deepEqual(JSON.parse(values[1].meta), { tags: ["a", "b"], deep: { x: 1 } });
      assert.equal(values[1].n, "5");
      assert.equal(values[2].meta, "[1,2]");
    });

    await t.step("overwrite empties the draft first; capacity ends the job", async () => {
      const id = await create(textFields(1), { spec: { max_item_count: 5 } });
      const rows = (n: number, p: string) =>
        enc.encode(["c0", ...Array.from({ length: n }, (_, i) => `${p}${i}`)].join("\n"));
      const first = await importAndWait(server, u, id, {
        key: "imports/three.csv",
        bytes: rows(3, "a"),
        mappings: sameNames(["c0"]),
      });
      assert.equal(first.progress.added, "3");
      const full = await importAndWait(server, u, id, {
        key: "imports/eight.csv",
        bytes: rows(8, "b"),
        mappings: sameNames(["c0"]),
        overwrite: true,
      });
      assert.equal(full.status, 3, JSON.stringify(full));
      assert.deepEqual(full.progress, { total: "8", processed: "8", added: "5" });
      assert.equal(full.errors[0].type, 4);
      assert.equal(full.errors[0].error_count, 3);
      assert.deepEqual(
        [full.errors[0].details[0].start_index, full.errors[0].details[0].end_index],
        [5, 7],
      );
      const values = keyed((await allItems(server, u, id)).items).map((v) => v.c0);
      assert.deepEqual(values, ["b0", "b1", "b2", "b3", "b4"]);
    });

    await t.step("malformed files and missing columns fail the job with a reason", async () => {
      const id = await create(textFields(2));
      const cases: [string, string, RegExp][] = [
        ["imports/open.csv", 'c0,c1\n1,"never closed\n2,3\n', /Quote Not Closed/i],
        ["imports/empty.csv", "", /empty/],
        ["imports/cols.csv", "x,y\n1,2\n", /"c0", "c1" of field_mappings/],
        ["imports/bin.jsonl", "\u0000\u0001garbage\n{}\n", /not a JSON Lines file/],
      ];
      for (const [key, text, reason] of cases) {
        const job = await importAndWait(server, u, id, {
          key,
          bytes: enc.encode(text),
          mappings: sameNames(["c0", "c1"]),
        });
        assert.equal(job.status, 4, `${key}: ${JSON.stringify(job)}`);
        assert.match(job.errors.at(-1).summary, reason, key);
      }
      const list = await post(server, `${D}/${id}/io_jobs`, { ...ws, statuses: [4] }, u);
      assert.equal(list.body.code, 0);
      assert.equal(list.body.jobs.length, cases.length);
      assert.equal(list.body.jobs[0].source.file.path, "imports/bin.jsonl", "newest first");
      const none = await post(server, `${D}/${id}/io_jobs`, { ...ws, types: [2] }, u);
      assert.deepEqual(none.body.jobs, []);
    });
  },
);
