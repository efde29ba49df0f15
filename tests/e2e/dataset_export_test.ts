/**
 * Dataset exports and job routes over HTTP (both modes): a version exported to CSV and to
 * JSON Lines, downloaded from its presigned URL and imported into a new dataset with equal
 * items (text, JSON-schema text, image, multi-part); workspace isolation of every job route;
 * bad input on every job route answered with a clear error and no job created.
 */
import assert from "node:assert/strict";
import { post } from "./_client.ts";
import { serverTest } from "./_with_server.ts";
import { addItems, allItems, createDataset, D, FIELDS, upload } from "./_datasets.ts";
import { importAndWait, J, waitJob } from "./_io.ts";

// deno-lint-ignore no-explicit-any
const values = (items: any[]) =>
  items.map((it) =>
    Object.fromEntries(
      // deno-lint-ignore no-explicit-any
      it.data.map((v: any) => [
        v.name,
        JSON.parse(JSON.stringify(v, (k, x) => (k === "url" || k === "key" ? undefined : x))),
      ]),
    )
  );

serverTest(
  "e2e dataset exports: round trip through CSV and JSONL; job routes isolated and checked",
  async (t, { server, u, other, ws }) => {
    const id = await createDataset(server, u);
    await upload(server, u, "pics/a.png", new Uint8Array([137, 80, 78, 71, 1]));
    await addItems(server, u, id, [
      {
        data: [
          { key: "question", content: 'a "quoted", multi\nline question' },
          { key: "answer", content: JSON.stringify({ text: "yes", score: 1 }) },
          { key: "key_1", content: "42" },
          { key: "picture", attachments: [{ uri: "pics/a.png", name: "a.png" }] },
          {
            key: "mixed",
            parts: [
              { content_type: 1, content: "look" },
              { content_type: 2, attachments: [{ uri: "pics/a.png", name: "a.png" }] },
            ],
          },
        ],
      },
      { data: [{ key: "question", content: "only a question, 中文" }] },
    ]);
    const v = await post(server, `${D}/${id}/versions`, { ...ws, version: "1.0.0" }, u);
    assert.equal(v.body.code, 0);
    await addItems(server, u, id, [{ data: [{ key: "question", content: "draft only" }] }]);
    const expected = values((await allItems(server, u, id, v.body.id)).items);
    assert.equal(expected.length, 2);
    let csvJob = "";

    for (const [format, name] of [[3, "CSV"], [1, "JSONL"]] as const) {
      await t.step(`a version through ${name} and back`, async () => {
        const r = await post(server, `${D}/${id}/export`, {
          ...ws,
          version_id: v.body.id,
          format,
        }, u);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        if (format === 3) csvJob = r.body.job_id;
        const job = await waitJob(server, u, r.body.job_id);
        assert.equal(job.status, 3, JSON.stringify(job));
        assert.equal(job.job_type, 2);
        assert.deepEqual(job.progress, { total: "2", processed: "2", added: "2" });
        assert.equal(job.source.dataset.version_id, v.body.id);
        const file = job.target.file;
        assert.match(file.original_file_name, /-1\.0\.0\.(csv|jsonl)$/);
        const res = await fetch(file.download_url);
        assert.equal(res.status, 200);
        const bytes = new Uint8Array(await res.arrayBuffer());
        const copy = await createDataset(server, u);
        const back = await importAndWait(server, u, copy, {
          key: `copies/${name}.${name.toLowerCase()}`,
          bytes,
          format,
          mappings: FIELDS.map((f) => ({ source: f.name, target: f.name })),
        });
        assert.equal(back.status, 3, JSON.stringify(back));
        assert.equal(back.progress.added, "2", JSON.stringify(back.errors));
        assert.deepEqual(values((await allItems(server, u, copy)).items), expected);
      });
    }

    await t.step("the draft by default; jobs listed by type", async () => {
      const r = await post(server, `${D}/${id}/export`, ws, u);
      const job = await waitJob(server, u, r.body.job_id);
      assert.equal(job.progress.added, "3");
      assert.equal(job.target.file.format, 3);
      const list = await post(server, `${D}/${id}/io_jobs`, { ...ws, types: [2] }, u);
      assert.equal(list.body.jobs.length, 3);
    });

    await t.step("isolation: another user's calls find nothing, change nothing", async () => {
      const theirs = { workspace_id: other.spaceId };
      const calls = [
        post(server, `${D}/${id}/import`, {
          ...theirs,
          file: { provider: 5, path: "pics/a.png" },
          field_mappings: [{ source: "a", target: "question" }],
        }, other),
        post(server, `${D}/${id}/export`, theirs, other),
        post(server, `${D}/${id}/export`, {}, other),
        post(server, `${D}/${id}/io_jobs`, theirs, other),
        post(server, `${J}/${csvJob}?workspace_id=${other.spaceId}`, undefined, other, "GET"),
        post(server, `${J}/${csvJob}`, undefined, other, "GET"),
      ];
      for (const r of await Promise.all(calls)) {
        assert.equal(r.body.code, 601103001, JSON.stringify(r.body));
      }
      const named = await post(
        server,
        `${J}/${csvJob}?workspace_id=${u.spaceId}`,
        undefined,
        other,
        "GET",
      );
      assert.equal(named.body.code, 602000101, JSON.stringify(named.body));
      const list = await post(server, `${D}/${id}/io_jobs`, ws, u);
      assert.equal(list.body.jobs.length, 3, "no job was added");
    });

    await t.step("bad input: a clear error, no job", async () => {
      const multi = await createDataset(server, u, { features: { repeatedData: true } });
      const base = {
        ...ws,
        file: { provider: 5, path: "pics/a.png" },
        field_mappings: [{ source: "q", target: "question" }],
      };
      const bad: [string, unknown, RegExp][] = [
        [`${D}/${id}/import`, { ...base, file: undefined }, /file/],
        [`${D}/${id}/import`, { ...base, field_mappings: [] }, /field_mappings/],
        [`${D}/${id}/import`, { ...base, file: { provider: 5, path: "../x.csv" } }, /path/],
        [`${D}/${id}/import`, { ...base, file: { provider: 5, path: "none.csv" } }, /no object/],
        [`${D}/${id}/import`, { ...base, file: { provider: 1, path: "pics/a.png" } }, /provider/],
        [`${D}/${id}/import`, { ...base, file: { ...base.file, format: 2 } }, /format/],
        [`${D}/${id}/import`, {
          ...base,
          file: { ...base.file, compress_format: 100 },
        }, /compressed/],
        [`${D}/${id}/import`, {
          ...base,
          field_mappings: [{ source: "q", target: "nope" }],
        }, /no field "nope"/],
        [`${D}/${multi}/import`, base, /multi-turn/],
        [`${D}/${id}/export`, { ...ws, format: 4 }, /format/],
        [`${D}/${id}/export`, { ...ws, version_id: "123" }, /not found/],
        [`${D}/${id}/io_jobs`, { ...ws, types: "x" }, /types/],
        [`${D}/${id}/import`, "{not json", /JSON|json/],
      ];
      for (const [path, body, msg] of bad) {
        const r = await post(server, path, body, u);
        assert.notEqual(r.body.code, 0, `${path} ${JSON.stringify(body)}`);
        assert.match(r.body.msg, msg, `${path} ${JSON.stringify(body)}: ${r.body.msg}`);
      }
      for (const job of ["0", "x", "999"]) {
        const r = await post(
          server,
          `${J}/${job}?workspace_id=${u.spaceId}`,
          undefined,
          u,
          "GET",
        );
        assert.notEqual(r.body.code, 0, job);
      }
      const list = await post(server, `${D}/${id}/io_jobs`, ws, u);
      assert.equal(list.body.jobs.length, 3, "no job was added");
    });
  },
);
